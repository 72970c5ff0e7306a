/**
 * The kscrape command line: registers the commands, parses, and maps errors to exit codes.
 * User mistakes print one line on stderr (exit 2); failures of the environment one line (exit 1);
 * anything else is a bug and shows its stack with --verbose.
 *
 * Start-up stays light (--version ~0.2 s instead of ~1 s): command files import only commander, options and
 * constants at the top, and load what talks to Kafka, Redis or HTTP with `await import()` inside their action.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, KscrapeError } from './errors.js';
import { exitQuietlyOnClosedOutput } from './closed-output.js';
import { failureJson, wantsJson } from './failure-json.js';
import { createLogger } from './log.js';
import { packageVersion } from './version.js';
import { addGlobalOptions } from './commands/global-options.js';
import type { CommandRegistrar, CommandRuntime } from './commands/runtime.js';

/**
 * Each command's module, in the order help lists them. Only the module of the command that runs is loaded (about
 * 50 ms less for every run, which a monitor calling `kscrape lag` each minute pays); help, completion and unknown
 * commands load them all, since they show the whole tree.
 */
const COMMANDS: [name: string, load: () => Promise<CommandRegistrar>][] = [
  ['check', async () => (await import('./commands/check.js')).registerCheckCommand],
  ['limits', async () => (await import('./commands/limits.js')).registerLimitsCommand],
  ['config', async () => (await import('./commands/config.js')).registerConfigCommand],
  ['lag', async () => (await import('./commands/lag.js')).registerLagCommand],
  ['dlq', async () => (await import('./commands/dlq.js')).registerDlqCommand],
  ['topics', async () => (await import('./commands/topics.js')).registerTopicsCommand],
  ['partition-audit', async () => (await import('./commands/partition-audit.js')).registerPartitionAuditCommand],
  ['sitemap', async () => (await import('./commands/sitemap.js')).registerSitemapCommand],
  ['produce', async () => (await import('./commands/produce.js')).registerProduceCommand],
  ['completion', async () => (await import('./commands/completion.js')).registerCompletionCommand],
  ['work', async () => (await import('./commands/work.js')).registerWorkCommand],
  ['crawl', async () => (await import('./commands/crawl.js')).registerCrawlCommand],
  ['sink', async () => (await import('./commands/sink.js')).registerSinkCommand],
  ['extract', async () => (await import('./commands/extract.js')).registerExtractCommand],
];

/**
 * The command argv names, read past the global options the way commander will read them (so `--topic-prefix lag
 * work` names work), or undefined when it names none that exists (help, a typo, no command).
 */
export function commandNamed(argv: string[]): string | undefined {
  const probe = addGlobalOptions(new Command('kscrape')).allowUnknownOption().helpOption(false);
  const name = probe.parseOptions(argv.slice(2)).operands[0];
  return COMMANDS.some(([n]) => n === name) ? name : undefined;
}

export interface MainOptions {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** The command tree; with `only`, just that command below the root (what a run of it needs). */
export async function createProgram(runtime: CommandRuntime, stderr: NodeJS.WritableStream, only?: string): Promise<Command> {
  const program = new Command('kscrape')
    .description('Distributed web scraping on Apache Kafka')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => runtime.stdout.write(s),
      writeErr: (s) => stderr.write(s),
      outputError: (s, write) => write(`kscrape: ${s.replace(/^error: /, '')}`),
    });
  addGlobalOptions(program);
  program.addHelpText('after', `
Environment: KSCRAPE_BROKERS, KSCRAPE_TOPIC_PREFIX, KSCRAPE_REDIS_URL, KSCRAPE_CLIENT_CONFIG.
Precedence: flag > environment > --client-config file > default.

Examples:
  kscrape config --brokers kafka-1:9092 -X linger.ms=50
  kscrape --client-config ccloud.properties config --role consumer`);
  const wanted = only === undefined ? COMMANDS : COMMANDS.filter(([name]) => name === only);
  // One at a time: Jest's ESM loader (which runs the CLI tests) fails on concurrent imports of shared modules.
  for (const [, load] of wanted) (await load())(program, runtime);
  return program;
}

export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  let exitCode: number = ExitCode.ok;
  const runtime: CommandRuntime = { stdout, setExitCode: (code) => { exitCode = code; } };
  exitQuietlyOnClosedOutput([stdout, stderr], { exitCode: () => exitCode, report: (line) => void stderr.write(line) });
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const logger = createLogger({ level: verbose ? 'verbose' : 'normal', write: (l) => void stderr.write(l) });
  let name: string | undefined;
  const failed = (code: string, message: string, exitCode: number): number => {
    if (wantsJson(argv.slice(2))) stdout.write(failureJson({ command: name, code, message, exitCode }));
    return exitCode;
  };
  try {
    name = commandNamed(argv);
    // The completion scripts list every command, so that one needs the whole tree too.
    const program = await createProgram(runtime, stderr, name === 'completion' ? undefined : name);
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end in a CommanderError with exit code 0; everything else is a usage error.
      return err.exitCode === 0 ? ExitCode.ok : failed('usage', err.message.replace(/^error: /, ''), ExitCode.usage);
    }
    if (err instanceof KscrapeError) {
      logger.error(err.message);
      if (verbose && err.cause) logger.debug(String((err.cause as Error).stack ?? err.cause));
      return failed(err.code, err.message, err.exitCode);
    }
    logger.error(`internal error: ${(err as Error)?.message ?? String(err)}${verbose ? '' : ' (run with --verbose for details)'}`);
    if (verbose) logger.debug(String((err as Error)?.stack));
    return failed('internal', (err as Error)?.message ?? String(err), ExitCode.failure);
  }
}
