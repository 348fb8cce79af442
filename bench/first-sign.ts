/**
 * The first visible sign: how long after a person's message GridBot shows it is working.
 * Real processes (a Telegram gateway polling the Bot API emulator, a worker on the echo
 * provider); one message at a time, each in a chat of its own, so each one's typing is its
 * first. For each message it records when the Bot API received the bot's first
 * `sendChatAction` and compares it with
 *
 *   stored = the message's row committed (`messages.created_at`, Postgres' clock), and
 *   sent   = the test client handing the message to the Bot API.
 *
 * The target is typing ≤ 100 ms after the message is stored (issue #18).
 *
 *   node bench/first-sign.ts [--mode redis|postgres-only] [--messages 50] [--out bench/results/first-sign.json]
 */
import { parseArgs } from 'node:util';
import { sleep, waitFor } from '../tests/support/wait-for.ts';
import { BenchHarness, type BenchMode, benchChats } from './harness.ts';
import { latencySummary, round, writeResult } from './lib.ts';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'redis' },
    messages: { type: 'string', default: '50' },
    out: { type: 'string', default: 'bench/results/first-sign.json' },
  },
});
const mode = values.mode as BenchMode;
if (mode !== 'redis' && mode !== 'postgres-only') {
  throw new Error('--mode must be redis or postgres-only (the rows are read from Postgres)');
}
const count = Number(values.messages);

const h = await BenchHarness.create(mode);
try {
  const chats = benchChats(count, -410000);
  await h.registerChats(chats);
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker']);
  const fromStored: number[] = [];
  const fromSent: number[] = [];
  for (const [index, chat] of chats.entries()) {
    const text = `@Andy first sign ${index}`;
    const sent = Date.now();
    await h.telegram.say(chat, text);
    const typing = await waitFor(
      `typing in ${chat.chatId}`,
      () => h.telegram.chatActions.find((a) => a.chatId === String(chat.chatId)),
      20_000,
      5,
    );
    const row = await h.db.db
      .selectFrom('messages')
      .select('created_at')
      .where('content', '=', text)
      .executeTakeFirstOrThrow();
    fromStored.push(typing.at - row.created_at.getTime());
    fromSent.push(typing.at - sent);
    // Let the reply go out before the next message, so runs do not overlap.
    await waitFor('the reply', () => h.telegram.botMessages(chat.chatId).length > 0, 20_000);
    await sleep(20);
  }
  const summary = (samples: number[]) =>
    Object.fromEntries(Object.entries(latencySummary(samples)).map(([k, v]) => [k, round(v)]));
  const result = {
    mode,
    messages: count,
    typing_after_stored_ms: summary(fromStored),
    typing_after_sent_ms: summary(fromSent),
    target_ms: { typing_after_stored: 100 },
  };
  console.table({
    'stored → typing': result.typing_after_stored_ms,
    'sent → typing': result.typing_after_sent_ms,
  });
  await writeResult(values.out, result);
} finally {
  await h.close();
}
