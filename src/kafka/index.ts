/**
 * The front door of src/kafka/: everything that talks to the broker. Other folders import from here, not from the
 * files behind it.
 *
 * Two exceptions, both for start-up time (see src/cli.ts): loading this file loads the native client, so
 * the modules that run before a command's action (src/context/ and the command files) import the light,
 * client-free modules directly: `config.ts` (layers and precedence), `client-configs.ts` (role defaults and each
 * client's settings) and `client-properties.ts` (the --client-config file). The wire format (`schema.ts`) is not
 * client plumbing and is imported on its own.
 */
export * from './admin.js';
export * from './assigned-reader.js';
export * from './bulk-producer.js';
export * from './client-configs.js';
export * from './client-error-mapping-bug.js';
export * from './client-properties.js';
export * from './clients.js';
export * from './config-admin-options.js';
export * from './config.js';
export * from './group-reads.js';
export * from './isolated-group-reads.js';
export * from './topic-partitions.js';
