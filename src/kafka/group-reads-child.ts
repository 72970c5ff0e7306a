/**
 * The short-lived process that reads groups for kscrape (started by isolated-group-reads.ts): committed offsets
 * (fetchOffsets) and descriptions (describeGroups), the two admin calls that @confluentinc/kafka-javascript 1.10.1
 * can crash the process on. It reads two JSON lines on stdin. The first, `{config, early?}`, arrives as soon as
 * the parent starts: the child connects at once and starts the offsets reads the parent already knows it needs
 * (`early`). The second is the rest of a GroupReadsRequest (tasks, mode, timeout), sent once the parent knows
 * them; an offsets task already started early is not read twice. The child answers JSON lines on stdout (format:
 * group-reads.ts) and exits; the end of stdin without a second line means nothing to do. If the client crashes,
 * only this process dies; the lines it already wrote still count.
 *
 * Test hook: KSCRAPE_TEST_CRASH_DESCRIBE=1 makes it kill itself with SIGSEGV when it is about to describe a group
 * (after the offsets of a batch were answered), as the client does on a description that carries an error. It is
 * meant for tests only and changes nothing else.
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import { createAdmin } from './clients.js';
import { withDeadline } from '../deadline.js';
import {
  fromClientDescription, fromClientOffsets, taskErrorOf, taskKey, type EarlyReads, type ChildLine, type ClientGroupDescription, type GroupReadsRequest,
  type GroupTask,
} from './group-reads.js';
import { registerConfigSecrets, scrubSecrets } from '../redact.js';

/** stdin's lines as they arrive; the last one may lack its newline. */
async function* stdinLines(): AsyncGenerator<string> {
  let buffered = '';
  for await (const chunk of process.stdin.setEncoding('utf8')) {
    buffered += chunk as string;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered) yield buffered;
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
  const lines = stdinLines();
  const head = await lines.next();
  if (head.done) return 0;
  const { config, early } = JSON.parse(head.value) as Pick<GroupReadsRequest, 'config'> & { early?: EarlyReads };
  registerConfigSecrets(config);
  // The client's own log lines go to stderr only with KSCRAPE_GROUP_READS_DEBUG=1; the parent keeps the tail.
  const logger = createLogger({ level: process.env.KSCRAPE_GROUP_READS_DEBUG === '1' ? 'verbose' : 'quiet' });
  const admin: KafkaJS.Admin = createAdmin({ config, logger });
  // Connecting while the parent works out the tasks is the point of the two lines; the outcome is awaited below.
  const connected = admin.connect().then(() => undefined, (err: unknown) => err);
  const reads = new Map<string, Promise<void>>();
  const readOnce = (task: GroupTask, t: number): Promise<void> => {
    const key = taskKey(task);
    const read = reads.get(key) ?? readOffsets(admin, task, t);
    reads.set(key, read);
    return read;
  };
  if (early) {
    void connected.then((err) => {
      if (err === undefined) for (const task of early.tasks) if (task.kind === 'offsets') void readOnce(task, early.timeoutMs);
    });
  }
  const body = await lines.next();
  if (body.done) return 0;
  const request = JSON.parse(body.value) as Omit<GroupReadsRequest, 'config'>;
  const t = request.timeoutMs;
  try {
    const connectError = await withDeadline(connected, t, 'connect');
    if (connectError !== undefined) throw connectError;
    const offsets = request.tasks.filter((x) => x.kind === 'offsets');
    const describes = request.tasks.filter((x) => x.kind === 'describe');
    if (request.mode === 'batch') {
      await Promise.all(offsets.map((task) => readOnce(task, t)));
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
