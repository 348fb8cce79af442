#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runGateway } from '@gridbot/app-gateway';
import { runWorker } from '@gridbot/app-worker';
import { GridBotError } from '@gridbot/core';
import type { RoleRuntime } from '@gridbot/service';
import { readBuildInfo } from './build-info.ts';
import { migrateCommand } from './commands/migrate.ts';
import { startCommand } from './commands/start.ts';
import { threadsCommand } from './commands/threads.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `Usage: gridbot <command>

  start                          every role in one process
  gateway --channel telegram     one channel's gateway
  worker                         run agents for queued threads
  migrate                        apply database migrations
  threads list
  threads register <jid> [--name N] [--trigger P] [--no-trigger] [--main]
  threads unregister <jid>

Settings come from the environment (and ./.env); see README.md.`;

async function main(argv: string[]): Promise<RoleRuntime | undefined> {
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return undefined;
  }
  switch (command) {
    case 'migrate':
      await migrateCommand(env);
      return undefined;
    case 'threads':
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
    case 'gateway':
      if (!values.channel)
        throw new UsageError('gridbot gateway needs --channel, e.g. --channel telegram');
      return runGateway(values.channel, env, readBuildInfo(env));
    case 'worker':
      return runWorker(env, readBuildInfo(env));
    case 'start':
      return startCommand(env, readBuildInfo(env));
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (role) => role?.installSignalHandlers(),
  (error: unknown) => {
    if (error instanceof GridBotError || (error instanceof TypeError && 'code' in error)) {
      console.error(`gridbot: ${(error as Error).message}`);
    } else {
      console.error('gridbot: unexpected error', error);
    }
    // Exit now: a failed start may leave reconnect timers behind that would hold the process.
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
