import { describe, expect, it } from 'vitest';
import { type CliResult, cliProgram } from './cli-program.ts';
import { UsageError } from './usage-error.ts';

/** Parses a command line the way `gridbot` does, without running any command's module. */
async function mistakeIn(argv: string[]): Promise<string> {
  const program = cliProgram({}, {}, {});
  const error = await program.parseAsync(argv, { from: 'user' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('the gridbot command line', () => {
  it('answers an unknown option with the options the command does take', async () => {
    const message = await mistakeIn(['tasks', 'add', 'telegram:-1', '--promt', 'x']);
    expect(message).toContain("Unknown option '--promt' for gridbot tasks add.");
    expect(message).toContain('Did you mean --prompt?');
    expect(message).toContain('--cron <expression>');
    expect(message).toContain('Run gridbot tasks add --help');
  });

  it('answers an unknown command with the commands there are', async () => {
    const message = await mistakeIn(['theads', 'list']);
    expect(message).toContain('Unknown command "theads" for gridbot.');
    expect(message).toContain('threads');
    expect(message).toContain('Did you mean threads?');
  });

  it('refuses arguments a command does not take', async () => {
    expect(await mistakeIn(['worker', 'extra'])).toContain('Too many arguments');
  });

  it('prints the version and per-command help as information, not as a mistake', async () => {
    let printed = '';
    for (const argv of [['--version'], ['threads', 'register', '--help']]) {
      const result: CliResult = {};
      const program = cliProgram({}, {}, result);
      for (const c of [
        program,
        ...program.commands,
        ...program.commands.flatMap((c) => c.commands),
      ])
        c.configureOutput({ writeOut: (text) => (printed += text) });
      await program.parseAsync(argv, { from: 'user' }).catch(() => {});
      expect(result.informational, argv.join(' ')).toBe(true);
    }
    expect(printed).toMatch(/^\d+\.\d+\.\d+/);
    expect(printed).toContain('Usage: gridbot threads register [options] [jid]');
    expect(printed).toContain('--no-trigger');
  });
});
