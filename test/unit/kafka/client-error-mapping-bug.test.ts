import { describe, expect, test } from '@jest/globals';
import { isClientErrorMappingBug } from '../../../src/kafka/client-error-mapping-bug.js';

describe("the client's error-mapping bug", () => {
  test('recognised by its TypeError from the error mapping, nothing else', () => {
    const bug = new TypeError('error.KafkaJSGroupCoordinatorNotAvailableError is not a constructor');
    bug.stack = `${bug.message}\n    at createKafkaJsErrorFromLibRdKafkaError (node_modules/@confluentinc/kafka-javascript/lib/kafkajs/_common.js:600:11)`;
    expect(isClientErrorMappingBug(bug)).toBe(true);
    const elsewhere = new TypeError('x is not a constructor');
    elsewhere.stack = `${elsewhere.message}\n    at somewhereElse (src/x.ts:1:1)`;
    expect(isClientErrorMappingBug(elsewhere)).toBe(false);
    expect(isClientErrorMappingBug(new Error('is not a constructor createKafkaJsErrorFromLibRdKafkaError'))).toBe(false);
    expect(isClientErrorMappingBug(undefined)).toBe(false);
  });
});
