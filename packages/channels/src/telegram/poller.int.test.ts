import type { InboundEvent } from '@gridbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  captureLogger,
  type FakeBotApi,
  type FakeMethod,
  startFakeBotApi,
} from '../../../../tests/support/fake-bot-api.ts';
import { waitFor } from '../../../../tests/support/wait-for.ts';
import { TelegramAdapter } from './telegram-adapter.ts';

const update = {
  update_id: 10,
  message: {
    message_id: 1,
    date: 1_700_000_000,
    chat: { id: -5, type: 'group', title: 'G' },
    from: { id: 42, is_bot: false, first_name: 'Alice' },
    text: 'remember me',
  },
};

/** getUpdates with Telegram's semantics: returns the updates at or after `offset`. */
const withOffsets: FakeMethod = (body) => ({
  json: { ok: true, result: [update].filter((u) => u.update_id >= Number(body.offset ?? 0)) },
});

let fake: FakeBotApi | null = null;
const adapters: TelegramAdapter[] = [];

afterEach(async () => {
  for (const adapter of adapters.splice(0)) await adapter.stop();
  await fake?.close();
  fake = null;
});

function pollingAdapter(logger = captureLogger().logger): TelegramAdapter {
  if (fake === null) throw new Error('start the fake first');
  const adapter = new TelegramAdapter({
    token: '1:fake',
    apiRoot: fake.apiRoot,
    mode: 'polling',
    emptyPollDelayMs: 20,
    pollTimeoutSec: 0,
    logger,
  });
  adapters.push(adapter);
  return adapter;
}

const offsets = () =>
  (fake?.calls ?? []).filter((c) => c.method === 'getUpdates').map((c) => c.body.offset);

describe('polling against a Bot API with real offset semantics', () => {
  it('never acknowledges an update whose handler fails: the next gateway receives it', async () => {
    fake = await startFakeBotApi({ getUpdates: withOffsets });
    let attempts = 0;
    const first = pollingAdapter();
    await first.start(async () => {
      attempts += 1;
      throw new Error('database down');
    });
    await waitFor('the condition', () => attempts >= 2);
    await first.stop();
    expect(offsets().every((offset) => offset === undefined || Number(offset) <= 10)).toBe(true);
    expect(fake.calls.map((c) => c.method)).toContain('deleteWebhook');

    const received: InboundEvent[] = [];
    const second = pollingAdapter();
    await second.start(async (event) => {
      received.push(event);
    });
    await waitFor('the condition', () => offsets().includes(11));
    expect(received).toMatchObject([{ kind: 'message', text: 'remember me' }]);
  });

  it('keeps polling after getUpdates network errors', async () => {
    let calls = 0;
    fake = await startFakeBotApi({
      getUpdates: (body, all) => {
        calls += 1;
        return calls <= 2 ? 'drop' : withOffsets(body, all);
      },
    });
    const { logger, records } = captureLogger();
    const received: InboundEvent[] = [];
    await pollingAdapter(logger).start(async (event) => {
      received.push(event);
    });
    await waitFor('the condition', () => received.length === 1);
    expect(records.filter((r) => r.msg === 'telegram getUpdates failed')).toHaveLength(2);
  });

  it('stop() aborts a long poll in flight and can be called twice', async () => {
    fake = await startFakeBotApi({ getUpdates: () => 'hang' });
    const adapter = pollingAdapter();
    await adapter.start(async () => {});
    await waitFor('the condition', () => offsets().length === 1);
    const stopped = await Promise.race([
      adapter.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(resolve, 3_000, 'still polling')),
    ]);
    expect(stopped).toBe('stopped');
    await expect(adapter.stop()).resolves.toBeUndefined();
  });
});
