/**
 * The short-lived process that reads groups for kscrape (started by isolated-group-reads.ts): committed offsets
 * (fetchOffsets) and descriptions (describeGroups), the two admin calls that @confluentinc/kafka-javascript 1.10.1
 * can crash the process on. It reads a GroupReadsRequest as JSON on stdin, answers JSON lines on stdout (format:
 * group-reads.ts) and exits. If the client crashes, only this process dies; the lines it already wrote still count.
 *
 * Test hook: KSCRAPE_TEST_CRASH_DESCRIBE=1 makes it kill itself with SIGSEGV when it is about to describe a group
 * (after the offsets of a batch were answered), as the client does on a description that carries an error. It is
 * meant for tests only and changes nothing else.
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import { createAdmin } from './clients.js';
import { withDeadline } from './deadline.js';
import {
  fromClientDescription, fromClientOffsets, taskErrorOf, type ChildLine, type ClientGroupDescription, type GroupReadsRequest,
  type GroupTask,
} from './group-reads.js';
import { registerConfigSecrets, scrubSecrets } from './redact.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const say = (line: ChildLine) => void process.stdout.write(`${JSON.stringify(line)}\n`);

function crashForTests(): void {
  if (process.env.KSCRAPE_TEST_CRASH_DESCRIBE === '1') process.kill(process.pid, 'SIGSEGV');
}

async function readOffsets(admin: KafkaJS.Admin, task: GroupTask, t: number): Promise<void> {
  try {
    const topics = await withDeadline(admin.fetchOffsets({ groupId: task.group, timeout: t }), t + 1_000, `fetch offsets of ${task.group}`);
    say({ task, offsets: fromClientOffsets(topics) });
  } catch (err) {
    say({ task, error: { ...taskErrorOf(err as Error)!, message: scrubSecrets(errorMessage(err)) } });
  }
}

async function describe(admin: KafkaJS.Admin, tasks: GroupTask[], t: number): Promise<void> {
  if (!tasks.length) return;
  crashForTests();
  const asked = tasks.map((x) => x.group);
  const { groups } = await withDeadline(admin.describeGroups(asked, { timeout: t }), t + 1_000, 'describe groups');
  for (const d of groups as unknown as ClientGroupDescription[]) {
    const task: GroupTask = { kind: 'describe', group: d.groupId };
    const error = taskErrorOf(d.error);
    say(error ? { task, error } : { task, description: fromClientDescription(d) });
  }
}

async function main(): Promise<number> {
  const request = JSON.parse(await readStdin()) as GroupReadsRequest;
  registerConfigSecrets(request.config);
  // The client's own log lines go to stderr only with KSCRAPE_GROUP_READS_DEBUG=1; the parent keeps the tail.
  const logger = createLogger({ level: process.env.KSCRAPE_GROUP_READS_DEBUG === '1' ? 'verbose' : 'quiet' });
  const admin: KafkaJS.Admin = createAdmin({ config: request.config, logger });
  const t = request.timeoutMs;
  try {
    await withDeadline(admin.connect(), t, 'connect');
    const offsets = request.tasks.filter((x) => x.kind === 'offsets');
    const describes = request.tasks.filter((x) => x.kind === 'describe');
    if (request.mode === 'batch') {
      await Promise.all(offsets.map((task) => readOffsets(admin, task, t)));
      await describe(admin, describes, t);
    } else {
      for (const task of request.tasks) {
        if (task.kind === 'offsets') await readOffsets(admin, task, t);
        else await describe(admin, [task], t);
      }
    }
    say({ done: true });
    return 0;
  } catch (err) {
    say({ failed: scrubSecrets(errorMessage(err)) });
    return 1;
  }
}

main().then(
  // Exit without disconnecting: the answer is written (stdout to a pipe is synchronous on Linux; the callback
  // covers other platforms) and closing the connection gracefully would only add time.
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`${scrubSecrets(errorMessage(err))}\n`);
    process.exit(1);
  },
);
