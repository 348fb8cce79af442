import { existsSync } from 'node:fs';
import { GridBotError, InvalidJidError } from '@gridbot/core';
import { listenForStopSignals } from '@gridbot/service/stop-signals';
import { CommanderError } from 'commander';
import { type CliComposition, type CliResult, cliProgram } from './cli-program.ts';
import { UsageError } from './usage-error.ts';

export type { CliComposition } from './cli-program.ts';

/** A mistake in how the command was typed (not a failure while running it): exit code 2. */
function isUsageMistake(error: unknown): boolean {
  return error instanceof UsageError || error instanceof InvalidJidError;
}

/**
 * Runs one `gridbot` command line; exits the process on failure (code 2 for a mistake in
 * how the command was typed, 1 otherwise).
 */
export function runCli(givenArgv: string[], composition: CliComposition = {}): void {
  // `--verbose`, anywhere on the line: a failure prints its causes and stack too.
  const verbose = givenArgv.includes('--verbose');
  const argv = givenArgv.filter((arg) => arg !== '--verbose');
  // Before anything is built: a stop signal during start-up is never lost (a role's runtime
  // takes the signals over as soon as it exists, see RoleRuntime.open).
  listenForStopSignals();
  if (existsSync('.env')) process.loadEnvFile('.env');
  const result: CliResult = {};
  const program = cliProgram(process.env, composition, result);
  program.parseAsync(argv, { from: 'user' }).then(
    () => {},
    (error: unknown) => {
      // --help and --version printed what was asked for.
      if (error instanceof CommanderError && result.informational) process.exit(error.exitCode);
      if (verbose) console.error('gridbot:', error);
      else if (error instanceof GridBotError || (error instanceof TypeError && 'code' in error)) {
        console.error(`gridbot: ${(error as Error).message}`);
      } else {
        console.error(
          `gridbot: unexpected error: ${error instanceof Error ? error.message : String(error)} (run again with --verbose for the details)`,
        );
      }
      // Exit now: a failed start may leave reconnect timers behind that would hold the process.
      process.exit(isUsageMistake(error) ? 2 : 1);
    },
  );
}
