import type { WorkerComposition } from '@gridbot/app-worker';
import type { RoleRuntime } from '@gridbot/service';
import { Command, type CommanderError } from 'commander';
import { readBuildInfo } from './build-info.ts';
import type { SetupArgs } from './setup/setup-args.ts';
import { UsageError } from './usage-error.ts';

/**
 * What a composition other than `gridbot` itself may put in place of GridBot's own parts
 * (the benchmarks give the worker an in-process agent runtime); the CLI gives nothing.
 */
export type CliComposition = WorkerComposition;

type Env = Record<string, string | undefined>;

/** What a command left running (a role), if anything; its `shutdown` stops it. */
export interface CliResult {
  runtime?: RoleRuntime;
  /** Help or the version was printed: nothing ran. */
  informational?: boolean;
}

const FOOTER = `
threads, tasks, pairing, backup and restore work on DATABASE_URL's Postgres or, without it,
on the embedded database of DATA_DIR (while no start runs there).
Settings come from the environment (and ./.env); see README.md. Add --verbose to any
command for the causes and stack of a failure.`;

/** `gridbot …` and every subcommand after it: `gridbot threads register`. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commander's "(Did you mean --x?)" after an error, as a sentence of its own. */
function suggestion(rest: string | undefined): string {
  const match = /\((Did you mean [^)]*)\)/.exec(rest ?? '');
  return match ? ` ${match[1]}` : '';
}

/** A mistake commander found, as a UsageError that says what is valid instead. */
function usageError(error: CommanderError, command: Command): UsageError {
  const where = pathOf(command);
  const help = `Run ${where} --help for details.`;
  const unknownOption = /unknown option '([^']+)'(.*)$/s.exec(error.message);
  if (unknownOption) {
    const options = command.options
      .filter((option) => option.long !== '--help')
      .map((option) => option.flags);
    const valid =
      options.length > 0 ? `Its options: ${options.join(', ')}.` : `${where} takes no options.`;
    return new UsageError(
      `Unknown option '${unknownOption[1]}' for ${where}.${suggestion(unknownOption[2])} ${valid} ${help}`,
    );
  }
  const unknownCommand = /unknown command '([^']+)'(.*)$/s.exec(error.message);
  if (unknownCommand) {
    const names = command.commands.map((c) => c.name());
    return new UsageError(
      `Unknown command "${unknownCommand[1]}" for ${where}.${suggestion(unknownCommand[2])} Commands: ${names.join(', ')}. ${help}`,
    );
  }
  const text = error.message.replace(/^error: /, '');
  return new UsageError(`${text.charAt(0).toUpperCase()}${text.slice(1)} (${where}). ${help}`);
}

/**
 * The `gridbot` command line: one subcommand per role and admin task, each with its own
 * `--help`; `--version`; unknown commands and options answered with what is valid. Each
 * command loads only its own modules (a worker never loads discord.js or Bull Board), which
 * keeps every role's memory to what it uses.
 */
export function cliProgram(env: Env, composition: CliComposition, result: CliResult): Command {
  const program = new Command('gridbot');
  const sub = (parent: Command, spec: string, description: string, isDefault = false) => {
    const command = parent.command(spec, { isDefault }).description(description);
    return configure(command);
  };
  const configure = (command: Command): Command =>
    command
      .exitOverride((error) => {
        if (
          error.code === 'commander.helpDisplayed' ||
          error.code === 'commander.version' ||
          error.code === 'commander.help'
        ) {
          result.informational = true;
          throw error;
        }
        throw usageError(error, command);
      })
      .configureOutput({ outputError: () => {} })
      .showSuggestionAfterError(true)
      .allowExcessArguments(false);
  configure(program)
    .description('A self-hosted AI assistant for group chats that scales out.')
    .version(readBuildInfo(env).version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .addHelpText('after', FOOTER);

  sub(program, 'start', 'every role in one process (no DATABASE_URL: an embedded database)').action(
    async () => {
      const { startCommand } = await import('./commands/start.ts');
      result.runtime = await startCommand(env, readBuildInfo(env), composition);
    },
  );
  sub(program, 'chat', 'talk to the assistant from the terminal (cli:<name>)')
    .option('--name <name>', 'whose chat: cli:<name>')
    .option('--once <text>', 'send one message, print the answer, exit')
    .option('--url <url>', 'the dashboard of a running gridbot')
    .action(async (options: { name?: string; once?: string; url?: string }) => {
      const { chatCommand } = await import('./commands/chat.ts');
      await chatCommand(options, env, readBuildInfo(env));
      // Done talking: whatever a started-here gridbot left behind must not hold the terminal.
      process.exit(0);
    });
  sub(program, 'gateway', "one channel's gateway")
    .option('--channel <channel>', 'telegram, discord, slack, whatsapp, feishu, dingtalk or wecom')
    .action(async (options: { channel?: string }) => {
      if (!options.channel)
        throw new UsageError('gridbot gateway needs --channel, e.g. --channel telegram');
      const { runGateway } = await import('@gridbot/app-gateway');
      result.runtime = await runGateway(options.channel, env, readBuildInfo(env));
    });
  sub(program, 'worker', 'run agents for queued threads').action(async () => {
    const { runWorker } = await import('@gridbot/app-worker');
    result.runtime = await runWorker(env, readBuildInfo(env), composition);
  });
  sub(program, 'scheduler', 'fire scheduled tasks; sweep, retention and backups').action(
    async () => {
      const { runScheduler } = await import('@gridbot/app-scheduler');
      result.runtime = await runScheduler(env, readBuildInfo(env));
    },
  );
  sub(program, 'dashboard', 'Bull Board, admin pages, JSON API and web chat').action(async () => {
    const { runDashboard } = await import('@gridbot/app-dashboard');
    result.runtime = await runDashboard(env, readBuildInfo(env));
  });
  sub(program, 'setup', 'a guided set-up: checks, mode, credentials, .env, database, agent image')
    .option('-y, --yes', 'ask nothing: use the flags, then the existing .env, then defaults')
    .option('--dir <dir>', 'where .env is written (and gridbot start runs)', '.')
    .option('--mode <mode>', 'embedded, postgres or redis')
    .option('--database-url <url>', 'postgres://user:pass@host:5432/gridbot (created if missing)')
    .option('--redis-url <url>', 'redis://host:6379 (the redis mode)')
    .option('--llm <provider>', 'anthropic, openai or echo')
    .option('--llm-key <key>', "the provider's API key (checked before it is written)")
    .option('--llm-base-url <url>', 'another endpoint (Ollama, vLLM, OpenRouter)')
    .option('--model <name>', 'the model to use')
    .option('--telegram-token <token>', 'a Telegram bot token (checked with getMe)')
    .option('--discord-token <token>', 'a Discord bot token (checked with /users/@me)')
    .option('--slack-bot-token <token>', 'a Slack bot token, xoxb-… (checked with auth.test)')
    .option('--slack-app-token <token>', 'the Slack app-level token, xapp-…, for Socket Mode')
    .option('--whatsapp-token <token>', 'a WhatsApp Cloud API access token')
    .option('--whatsapp-phone-id <id>', 'the WhatsApp phone number id (checked with the token)')
    .option('--whatsapp-app-secret <secret>', "the Meta app's secret (verifies webhooks)")
    .option('--whatsapp-verify-token <token>', 'the webhook verify token (made up when not given)')
    .option('--dashboard-port <port>', 'the dashboard port (default 3000)')
    .option('--no-image', 'do not build the agent image')
    .action(async (options: Omit<SetupArgs, 'yes'> & { yes?: boolean }) => {
      const { setupCommand } = await import('./commands/setup.ts');
      process.exitCode = await setupCommand({ ...options, yes: options.yes ?? false }, env);
    });
  sub(
    program,
    'doctor',
    'check this machine and the install; exit 1 when something is wrong',
  ).action(async () => {
    const { doctorCommand } = await import('./commands/doctor.ts');
    process.exitCode = await doctorCommand(env);
  });
  sub(program, 'migrate', 'apply database migrations').action(async () => {
    const { migrateCommand } = await import('./commands/migrate.ts');
    await migrateCommand(env);
  });

  const threads = sub(program, 'threads', 'the chats the assistant answers');
  const runThreads = async (args: import('./commands/threads.ts').ThreadsArgs) => {
    const { threadsCommand } = await import('./commands/threads.ts');
    await threadsCommand(args, env);
  };
  sub(threads, 'list', 'every known chat, registered or not', true).action(() =>
    runThreads({ action: 'list', jid: undefined }),
  );
  sub(threads, 'register [jid]', 'answer a chat, e.g. telegram:-1001234567890')
    .option('--name <name>', 'a name for the chat')
    .option('--trigger <pattern>', 'the regular expression that addresses the assistant')
    .option('--no-trigger', 'answer every message, not only those that address the assistant')
    .option('--main', "the admin's own chat (it may approve pairing codes)")
    .action(
      (
        jid: string | undefined,
        options: { name?: string; trigger?: string | false; main?: boolean },
      ) =>
        runThreads({
          action: 'register',
          jid,
          ...(options.name !== undefined && { name: options.name }),
          ...(typeof options.trigger === 'string' && { trigger: options.trigger }),
          noTrigger: options.trigger === false,
          main: options.main ?? false,
        }),
    );
  sub(threads, 'unregister [jid]', 'stop answering a chat').action((jid: string | undefined) =>
    runThreads({ action: 'unregister', jid }),
  );

  const tasks = sub(program, 'tasks', "a chat's scheduled tasks");
  const runTasks = async (args: import('./commands/tasks.ts').TasksArgs) => {
    const { tasksCommand } = await import('./commands/tasks.ts');
    await tasksCommand(args, env);
  };
  sub(tasks, 'list [jid]', "the chat's tasks with their next run").action(
    (jid: string | undefined) => runTasks({ action: 'list', target: jid, isolated: false }),
  );
  sub(tasks, 'add [jid]', 'schedule a prompt in a chat')
    .option('--prompt <text>', 'what the assistant is asked each time')
    .option('--cron <expression>', 'e.g. "0 9 * * 1" (Mondays at 9)')
    .option('--every <time>', 'an interval: 30s, 15m, 1h30m, "2 hours" (bare digits: milliseconds)')
    .option('--at <iso>', 'once, at this time (ISO 8601)')
    .option('--tz <zone>', 'the time zone of --cron, e.g. Europe/Berlin')
    .option('--isolated', "run without the chat's history")
    .option('--misfire <policy>', 'skip or run-once, for slots missed while down')
    .action(
      (
        jid: string | undefined,
        options: Omit<import('./commands/tasks.ts').TasksArgs, 'action' | 'target' | 'isolated'> & {
          isolated?: boolean;
        },
      ) =>
        runTasks({ ...options, action: 'add', target: jid, isolated: options.isolated ?? false }),
    );
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    sub(tasks, `${action} [id]`, `${action} a task by its id`).action((id: string | undefined) =>
      runTasks({ action, target: id, isolated: false }),
    );
  }

  const pairing = sub(program, 'pairing', 'direct-chat pairing codes').alias('pair');
  const runPairing = async (args: import('./commands/pairing.ts').PairingArgs) => {
    const { pairingCommand } = await import('./commands/pairing.ts');
    await pairingCommand(args, env);
  };
  sub(pairing, 'list', 'pending codes', true)
    .option('--all', 'every code, approved and expired too')
    .action((options: { all?: boolean }) =>
      runPairing({ action: 'list', code: undefined, all: options.all ?? false }),
    );
  sub(pairing, 'approve [code]', 'admit the user who was given that code').action(
    (code: string | undefined) => runPairing({ action: 'approve', code, all: false }),
  );

  sub(program, 'backup', 'dump the database')
    .option('--dir <dir>', 'where the backup goes (default $DATA_DIR/backups)')
    .action(async (options: { dir?: string }) => {
      const { backupCommand } = await import('./commands/backup.ts');
      await backupCommand(options.dir !== undefined ? { dir: options.dir } : {}, env);
    });
  sub(program, 'restore [file]', 'restore a backup into an empty database')
    .option('--force', 'restore into a database that is not empty')
    .action(async (file: string | undefined, options: { force?: boolean }) => {
      const { restoreCommand } = await import('./commands/restore.ts');
      await restoreCommand({ file, force: options.force ?? false }, env);
    });
  return program;
}
