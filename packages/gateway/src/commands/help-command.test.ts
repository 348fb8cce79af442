import { describe, expect, it } from 'vitest';
import { commandWords, parseCommandHead } from './chat-command.ts';
import { describeHelp, helpCommand } from './help-command.ts';
import { CHAT_COMMANDS } from './index.ts';

describe('parseCommandHead', () => {
  it('reads /word and /word@Name at the start of a text', () => {
    expect(parseCommandHead('/help')).toEqual({ word: 'help', target: null });
    expect(parseCommandHead('  /Stop@GridBot please')).toEqual({ word: 'stop', target: 'GridBot' });
    expect(parseCommandHead('/weather@other_bot Berlin')).toEqual({
      word: 'weather',
      target: 'other_bot',
    });
  });

  it('takes no path, no mid-text command and no bare slash for one', () => {
    expect(parseCommandHead('/usr/bin/env is missing')).toBeNull();
    expect(parseCommandHead('try /help')).toBeNull();
    expect(parseCommandHead('/ hello')).toBeNull();
    expect(parseCommandHead('/help!')).toBeNull();
  });
});

describe('/help', () => {
  it('lists every command of the table with its usage and summary, main-only ones in the main chat', () => {
    const elsewhere = describeHelp(CHAT_COMMANDS, false);
    expect(elsewhere.split('\n')).toEqual([
      'Commands here:',
      '/help — this list',
      '/stop — cancels the run in progress here',
      "/tasks — this chat's scheduled tasks and their next run",
      "/status — this chat's registration, model, workers, run, tokens today and pending approvals",
      '/approve <id> | /reject <id> — decides an approval the assistant asked for (the person who asked, or an admin)',
      '/reset [memory] — starts a fresh context (older messages stay searchable); with memory, also forgets (admins in groups)',
      "/history search <words> | /history export [md|jsonl] — finds this chat's messages, or sends its whole history as a file",
      "/images list | /images search <words> — lists this chat's images with what was seen in them, or searches them",
      '/analyze <image number> — has an image of this chat looked at again',
      "/stats — this chat's messages, runs, tokens with a cost estimate, and activity",
      "/config show | set <key> <value> | reset [key] | help — this chat's own settings (in a group, admins change them)",
      '/defaults show | set <key> <value> | reset [key] | help — your own settings, used wherever a chat does not set its own',
      'Anything else addressed to me goes to the assistant.',
    ]);
    expect(describeHelp(CHAT_COMMANDS, true)).toContain(
      '/pair <code> — admits the direct-chat user who was given that pairing code (main chat only)',
    );
  });

  it("answers Telegram's /start too, with or without a deep-link payload", () => {
    for (const text of ['/help', '/help@GridBot', '/start', '/start@GridBot', '/start ref-42'])
      expect(helpCommand.pattern.test(text), text).toBe(true);
    expect(helpCommand.pattern.test('/help me')).toBe(false);
  });

  it('says which commands are for admins', () => {
    const help = describeHelp(
      [
        {
          ...CHAT_COMMANDS[0]!,
          usage: '/config set <key> <value>',
          summary: 'changes a setting',
          adminOnly: true,
        },
      ],
      false,
    );
    expect(help).toContain('/config set <key> <value> — changes a setting (admins only)');
  });

  it('knows every word of a command', () => {
    expect(CHAT_COMMANDS.flatMap(commandWords)).toEqual([
      'help',
      'stop',
      'tasks',
      'status',
      'approve',
      'reject',
      'pair',
      'reset',
      'history',
      'images',
      'analyze',
      'stats',
      'config',
      'defaults',
    ]);
  });
});
