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
 * Then streamed text: a worker on a fake Anthropic API that streams its answer (10 tokens,
 * 50 ms apart), in a private chat: from the fake writing the first token to the Bot API
 * receiving the first `sendMessageDraft`. Target ≤ 300 ms.
 *
 *   node bench/first-sign.ts [--mode redis|postgres-only] [--messages 50] [--out bench/results/first-sign.json]
 */
import { parseArgs } from 'node:util';
import { startFakeAnthropic } from '../tests/support/fake-anthropic.ts';
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
  // The private chats of the streaming part are answered without pairing.
  const privateUsers = Array.from({ length: 20 }, (_, i) => String(5000 + i)).join(',');
  await h.start(['gateway', '--channel', 'telegram'], { TELEGRAM_ALLOWED_USERS: privateUsers });
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
  // Streamed text: the worker is replaced by one on a streaming fake model.
  await h.processes.at(-1)!.stop();
  h.processes.pop();
  const llm = await startFakeAnthropic(() => ({
    text: 'one two three four five six seven eight nine ten',
    tokenIntervalMs: 50,
  }));
  await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-bench',
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
  const firstText: number[] = [];
  const streamed = Math.max(2, Math.min(count, 20));
  for (let i = 0; i < streamed; i++) {
    const chat = {
      chatId: 5000 + i,
      type: 'private' as const,
      userId: 5000 + i,
      firstName: `P${i}`,
    };
    await h.telegram.say(chat, `stream ${i}`);
    const draft = await waitFor(
      `a draft in ${chat.chatId}`,
      () => h.telegram.drafts.find((d) => d.chatId === String(chat.chatId)),
      20_000,
      5,
    );
    firstText.push(draft.at - llm.firstTokens.at(-1)!);
    await waitFor('the reply', () => h.telegram.botMessages(chat.chatId).length > 0, 20_000);
  }
  await llm.close();
  const summary = (samples: number[]) =>
    Object.fromEntries(Object.entries(latencySummary(samples)).map(([k, v]) => [k, round(v)]));
  const result = {
    mode,
    messages: count,
    typing_after_stored_ms: summary(fromStored),
    typing_after_sent_ms: summary(fromSent),
    first_draft_after_first_token_ms: summary(firstText),
    target_ms: { typing_after_stored: 100, first_draft_after_first_token: 300 },
  };
  console.table({
    'stored → typing': result.typing_after_stored_ms,
    'sent → typing': result.typing_after_sent_ms,
    'first token → first draft': result.first_draft_after_first_token_ms,
  });
  await writeResult(values.out, result);
} finally {
  await h.close();
}
