import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WorkerComposition } from '@gridbot/app-worker';
import { GridBotError, InvalidJidError } from '@gridbot/core';
import type { RoleRuntime } from '@gridbot/service';
import { listenForStopSignals } from '@gridbot/service/stop-signals';
import { readBuildInfo } from './build-info.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `Usage: gridbot <command>

  start                          every role in one process (no DATABASE_URL: an embedded database)
  chat [--name N] [--once TEXT] [--url U]
                                 talk to the assistant from the terminal (cli:<name>)
  gateway --channel telegram     one channel's gateway
  worker                         run agents for queued threads
  scheduler                      fire scheduled tasks; sweep, retention and backups
  dashboard                      Bull Board, admin pages, JSON API and web chat
  migrate                        apply database migrations
  threads list
  threads register <jid> [--name N] [--trigger P] [--no-trigger] [--main]
  threads unregister <jid>
  tasks list <jid>
  tasks add <jid> --prompt P (--cron "0 9 * * 1" | --every MS | --at ISO) [--tz ZONE] [--isolated] [--misfire skip|run-once]
  tasks pause|resume|cancel <id>
  pairing list [--all]           direct-chat pairing codes (pending ones unless --all)
  pairing approve <code>         admit the user who was given that code
  backup [--dir D]               dump the database (default dir $DATA_DIR/backups)
  restore <file> [--force]       restore a backup into an empty database

threads, tasks, pairing, backup and restore work on DATABASE_URL's Postgres or, without it,
on the embedded database of DATA_DIR (while no start runs there).
Settings come from the environment (and ./.env); see README.md.`;

/**
 * What a composition other than `gridbot` itself may put in place of GridBot's own parts
 * (the benchmarks give the worker an in-process agent runtime); the CLI gives nothing.
 */
export type CliComposition = WorkerComposition;

async function main(argv: string[], composition: CliComposition): Promise<RoleRuntime | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = process.env;
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      channel: { type: 'string' },
      name: { type: 'string' },
      trigger: { type: 'string' },
      'no-trigger': { type: 'boolean' },
      main: { type: 'boolean' },
      prompt: { type: 'string' },
      cron: { type: 'string' },
      every: { type: 'string' },
      at: { type: 'string' },
      tz: { type: 'string' },
      isolated: { type: 'boolean' },
      misfire: { type: 'string' },
      dir: { type: 'string' },
      force: { type: 'boolean' },
      all: { type: 'boolean' },
      once: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return undefined;
  }
  // Each command loads only its own modules: a worker never loads discord.js or Bull Board,
  // which keeps every role's memory to what it uses.
  switch (command) {
    case 'migrate': {
      const { migrateCommand } = await import('./commands/migrate.ts');
      await migrateCommand(env);
      return undefined;
    }
    case 'threads': {
      const { threadsCommand } = await import('./commands/threads.ts');
      await threadsCommand(
        {
          action: rest[0],
          jid: rest[1],
          ...(values.name !== undefined && { name: values.name }),
          ...(values.trigger !== undefined && { trigger: values.trigger }),
          noTrigger: values['no-trigger'] ?? false,
          main: values.main ?? false,
        },
        env,
      );
      return undefined;
    }
    case 'backup': {
      const { backupCommand } = await import('./commands/backup.ts');
      await backupCommand({ ...(values.dir !== undefined && { dir: values.dir }) }, env);
      return undefined;
    }
    case 'restore': {
      const { restoreCommand } = await import('./commands/restore.ts');
      await restoreCommand({ file: rest[0], force: values.force ?? false }, env);
      return undefined;
    }
    case 'tasks': {
      const { tasksCommand } = await import('./commands/tasks.ts');
      await tasksCommand(
        {
          action: rest[0],
          target: rest[1],
          ...(values.prompt !== undefined && { prompt: values.prompt }),
          ...(values.cron !== undefined && { cron: values.cron }),
          ...(values.every !== undefined && { every: values.every }),
          ...(values.at !== undefined && { at: values.at }),
          ...(values.tz !== undefined && { tz: values.tz }),
          ...(values.misfire !== undefined && { misfire: values.misfire }),
          isolated: values.isolated ?? false,
        },
        env,
      );
      return undefined;
    }
    case 'pair':
    case 'pairing': {
      const { pairingCommand } = await import('./commands/pairing.ts');
      await pairingCommand({ action: rest[0], code: rest[1], all: values.all ?? false }, env);
      return undefined;
    }
    case 'gateway': {
      if (!values.channel)
        throw new UsageError('gridbot gateway needs --channel, e.g. --channel telegram');
      const { runGateway } = await import('@gridbot/app-gateway');
      return runGateway(values.channel, env, readBuildInfo(env));
    }
    case 'worker': {
      const { runWorker } = await import('@gridbot/app-worker');
      return runWorker(env, readBuildInfo(env), composition);
    }
    case 'dashboard': {
      const { runDashboard } = await import('@gridbot/app-dashboard');
      return runDashboard(env, readBuildInfo(env));
    }
    case 'scheduler': {
      const { runScheduler } = await import('@gridbot/app-scheduler');
      return runScheduler(env, readBuildInfo(env));
    }
    case 'start': {
      const { startCommand } = await import('./commands/start.ts');
      return startCommand(env, readBuildInfo(env), composition);
    }
    case 'chat': {
      const { chatCommand } = await import('./commands/chat.ts');
      await chatCommand(
        { name: values.name, once: values.once, url: values.url },
        env,
        readBuildInfo(env),
      );
      // Done talking: whatever a started-here gridbot left behind must not hold the terminal.
      return process.exit(0);
    }
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
  }
}

/** A mistake in how the command was typed (not a failure while running it): exit code 2. */
function isUsageMistake(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof InvalidJidError) return true;
  // node:util parseArgs: an unknown option, a missing option value …
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * Runs one `gridbot` command line; exits the process on failure (code 2 for a mistake in
 * how the command was typed, 1 otherwise).
 */
export function runCli(argv: string[], composition: CliComposition = {}): void {
  // Before anything is built: a stop signal during start-up is never lost (a role's runtime
  // takes the signals over as soon as it exists, see RoleRuntime.open).
  listenForStopSignals();
  main(argv, composition).then(
    () => {},
    (error: unknown) => {
      if (error instanceof GridBotError || (error instanceof TypeError && 'code' in error)) {
        const cause = (error as Error).cause;
        console.error(
          `gridbot: ${(error as Error).message}${cause instanceof Error ? `\n  cause: ${cause.message}` : ''}`,
        );
      } else {
        console.error('gridbot: unexpected error', error);
      }
      // Exit now: a failed start may leave reconnect timers behind that would hold the process.
      process.exit(isUsageMistake(error) ? 2 : 1);
    },
  );
}
