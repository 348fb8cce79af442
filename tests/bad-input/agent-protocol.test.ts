/**
 * An agent that misbehaves on the protocol, through a real gateway and worker: garbage
 * lines, a 2 MiB line, an unknown method, a flood, never finishing, exiting in the middle
 * of a call, a response to an id it was never sent, a malformed run.finish. Each chat gets
 * one clear line (or its answer, where the agent recovers), the worker stays up, and the
 * chat's next message is answered.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridbotProcess } from '../support/gridbot-process.ts';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { sleep, waitFor } from '../support/wait-for.ts';

let h: PipelineHarness;
let worker: GridbotProcess;
let nextChat = -530100;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await h.start(['gateway', '--channel', 'telegram']);
  worker = await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/misbehave.mjs`,
    AGENT_TIMEOUT_MS: '3000',
    AGENT_IDLE_MS: '0',
  });
});

afterAll(async () => {
  await h?.close();
});

const CASES: Array<[string, string, RegExp]> = [
  ['garbage lines', 'garbage', /^recovered from garbage$/],
  ['a 2 MiB line', 'huge', /Sorry, I could not answer: .*(1 MiB|line)/i],
  ['an unknown method', 'unknown', /^unknown method refused: .*teleport\.now/],
  ['a flood of chat.send', 'flood', /flood answered, \d+ refused/],
  ['never finishing', 'hang', /Sorry, I could not answer: .*3000 ms/],
  // Its exit code and stderr are for the dashboard; the chat hears the run id.
  [
    'exiting in the middle of a call',
    'exit-mid-call',
    /^Sorry, I could not answer this time \(run \d+\)\. Please try again\.$/,
  ],
  ['a response to an id it was never sent', 'wrong-id', /^finished after a stray response$/],
  ['a malformed run.finish', 'bad-finish', /Sorry, I could not answer/],
];

describe('an agent misbehaving on the protocol', () => {
  it.each(CASES)('%s: one clear line, and the chat goes on', async (_name, how, expected) => {
    const chat: ChatSpec = {
      chatId: nextChat--,
      type: 'group',
      title: how,
      userId: 953,
      firstName: 'Ada',
    };
    await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, `@Andy do:${how}`);
    // The flood also sends its spam lines (rate-limited); the verdict is the last reply.
    const verdict = await waitFor(
      'the verdict',
      () => texts().find((t) => expected.test(t) || t.startsWith('Sorry') || t.startsWith('ok ')),
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the chat got: ${JSON.stringify(texts()).slice(0, 2_000)}`);
    });
    expect(verdict).toMatch(expected);
    expect(verdict.split('\n')).toHaveLength(1);
    await h.telegram.say(chat, '@Andy do:fine');
    await waitFor('the next answer', () => texts().includes('ok fine'), 20_000);
    expect(texts().filter((t) => t.startsWith('Sorry'))).toHaveLength(
      expected.source.includes('Sorry') ? 1 : 0,
    );
    expect(worker.child.exitCode).toBeNull();
  });

  it('leaves no agent process behind', async () => {
    await sleep(500);
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select('status')
      .where('status', '=', 'running')
      .execute();
    expect(runs).toEqual([]);
  });
});
