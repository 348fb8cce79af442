import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, signedDelivery, startFakeSlack } from './support/fake-slack/fake-slack.ts';
import {
  ALICE,
  BOT_USER,
  CHANNELS,
  eventCallback,
  messageEvent,
  nextTs,
} from './support/fake-slack/slack-payloads.ts';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { LONG_ECHO_REQUEST, LONG_LINES, longLinesIn } from './support/long-reply.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const BOT_TOKEN = 'xoxb-1000000001-conversation-bot-token';
const APP_TOKEN = 'xapp-1-A0GRIDBOT-1000000001-conversation-app-token';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const GENERAL = CHANNELS.general.id;
const THREAD_TS = '1763999999.000100';

let h: PipelineHarness;
let slack: FakeSlack;
let gateway: GridbotProcess;
let httpGateway: GridbotProcess;
let eventsUrl: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  slack = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN, pingMs: 1_000 });
  await registerThread(h.db.db, { jid: `slack:${GENERAL}`, title: 'general' });
  await registerThread(h.db.db, { jid: `slack:${GENERAL}:${THREAD_TS}`, title: 'a thread' });
  const common = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ALLOWED_USERS: ALICE.id,
  };
  gateway = await h.start(['gateway', '--channel', 'slack'], {
    ...common,
    SLACK_APP_TOKEN: APP_TOKEN,
  });
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  httpGateway = await h.start(['gateway', '--channel', 'slack'], {
    ...common,
    SLACK_MODE: 'http',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    HEALTH_PORT: String(port),
  });
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
  await slack?.close();
});

const sentTo = (channel: string, threadTs: string | null = null) =>
  slack.sent.filter((m) => m.channel === channel && m.threadTs === threadTs);

async function replies(channel: string, count: number, threadTs: string | null = null) {
  return waitFor(
    `${count} replies in ${channel}${threadTs ? ` thread ${threadTs}` : ''}`,
    () => sentTo(channel, threadTs).length >= count && sentTo(channel, threadTs),
    20_000,
  );
}

/** What people wrote that was stored (the assistant's replies echo it, and do not count). */
async function storedLike(pattern: string) {
  return h.db.db
    .selectFrom('messages')
    .select(['id', 'content'])
    .where('role', '=', 'user')
    .where('content', 'like', pattern)
    .execute();
}

describe('a conversation over Slack, through real gateway and worker processes', () => {
  it('answers "@Andy hi" and a <@bot> mention (message + app_mention) in a registered channel, once each', async () => {
    slack.socket.deliver(messageEvent({ text: '@Andy hi' }));
    const [first] = await replies(GENERAL, 1);
    expect(withoutTimes(first!.text)).toContain('[Alice] @Andy hi');
    expect(first!.unfurlLinks).toBe(false);
    // Slack sends both events for one mention in a channel: same ts, one stored message.
    const ts = nextTs();
    const text = `<@${BOT_USER.id}> are you there?`;
    slack.socket.deliver(messageEvent({ text, ts }));
    slack.socket.deliver(messageEvent({ text, ts, type: 'app_mention' }));
    const all = await replies(GENERAL, 2);
    expect(all[1]!.text).toContain('are you there?');
    // A channel's events are handled in order: this reply comes once the second event was.
    slack.socket.deliver(messageEvent({ text: '@Andy third' }));
    const three = await replies(GENERAL, 3);
    expect(three[2]!.text).toContain('third');
    expect(sentTo(GENERAL)).toHaveLength(3);
    expect(await storedLike('%are you there?%')).toHaveLength(1);
    const alice = await h.db.db
      .selectFrom('users')
      .select(['tz_name'])
      .where('channel', '=', 'slack')
      .where('platform_user_id', '=', ALICE.id)
      .executeTakeFirst();
    expect(alice).toMatchObject({ tz_name: 'Europe/Berlin' });
  });

  it('does not answer an unregistered channel and keeps none of its text', async () => {
    slack.socket.deliver(
      messageEvent({ text: '@Andy secret slack plans', channel: CHANNELS.secret.id }),
    );
    // Ingress records the chat (unregistered) when it has handled the event.
    const thread = await waitFor(
      'the event handled',
      () =>
        h.db.db
          .selectFrom('threads')
          .selectAll()
          .where('jid', '=', `slack:${CHANNELS.secret.id}`)
          .executeTakeFirst(),
      20_000,
    );
    expect(sentTo(CHANNELS.secret.id)).toEqual([]);
    expect(thread?.registered).toBe(false);
    expect(await storedLike('%secret slack%')).toEqual([]);
  });

  it('stores and answers an event delivered twice (a Slack retry) once', async () => {
    const before = sentTo(GENERAL).length;
    const event = messageEvent({ text: '@Andy only once please' });
    slack.socket.deliver(event);
    await replies(GENERAL, before + 1);
    slack.socket.deliver(event);
    slack.socket.deliver(messageEvent({ text: '@Andy and the next one' }));
    const all = await replies(GENERAL, before + 2);
    expect(all.at(-1)!.text).toContain('and the next one');
    expect(sentTo(GENERAL)).toHaveLength(before + 2);
    expect(await storedLike('@Andy only once please')).toHaveLength(1);
  });

  it('sends a 10,000-character reply in order, in chunks within the limit', async () => {
    const before = sentTo(GENERAL).length;
    slack.socket.deliver(messageEvent({ text: LONG_ECHO_REQUEST }));
    const chunks = await waitFor(
      'the chunks',
      () => {
        const all = sentTo(GENERAL).slice(before);
        return all.some((m) => m.text.includes('the end')) && all;
      },
      20_000,
    );
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(3000);
    expect(longLinesIn(chunks.map((c) => c.text))).toEqual(LONG_LINES);
  });

  it('loses nothing over a Socket Mode refresh (disconnect, reason refresh_requested)', async () => {
    const before = sentTo(GENERAL).length;
    const connections = slack.socket.connections;
    slack.socket.refresh();
    slack.socket.deliver(messageEvent({ text: '@Andy across the refresh' }));
    const all = await replies(GENERAL, before + 1);
    expect(all.at(-1)!.text).toContain('across the refresh');
    expect(slack.socket.connections).toBeGreaterThan(connections);
    await waitFor('every envelope acknowledged', () => slack.socket.unacked === 0);
  });

  it('answers a message in a Slack thread inside that thread (slack:<channel>:<thread_ts>)', async () => {
    slack.socket.deliver(messageEvent({ text: '@Andy in the thread', threadTs: THREAD_TS }));
    const [reply] = await replies(GENERAL, 1, THREAD_TS);
    expect(reply!.text).toContain('in the thread');
    const thread = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select('threads.jid')
      .where('messages.content', '=', '@Andy in the thread')
      .executeTakeFirst();
    expect(thread?.jid).toBe(`slack:${GENERAL}:${THREAD_TS}`);
  });

  it('answers a direct message from an allowed user without a trigger', async () => {
    slack.socket.deliver(messageEvent({ text: 'hello in private', channel: CHANNELS.dm.id }));
    const [reply] = await replies(CHANNELS.dm.id, 1);
    expect(reply!.text).toContain('hello in private');
  });

  it('skips a malformed event with a warning, and keeps answering', async () => {
    const before = sentTo(GENERAL).length;
    slack.socket.deliver(
      eventCallback({ type: 'message', text: '@Andy no channel or user', ts: nextTs() }),
    );
    slack.socket.deliver(messageEvent({ text: '@Andy after the bad one' }));
    const all = await replies(GENERAL, before + 1);
    expect(all.at(-1)!.text).toContain('after the bad one');
    expect(
      gateway.logs().some((l) => String(l.msg).startsWith('skipping malformed slack payload')),
    ).toBe(true);
    expect(await storedLike('%no channel or user%')).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.output()).not.toContain(BOT_TOKEN);
    expect(gateway.output()).not.toContain(APP_TOKEN);
  });

  it('in HTTP mode, answers a signed event, answers its retry once, and refuses forged or stale ones', async () => {
    const challenge = await signedDelivery(
      eventsUrl,
      { type: 'url_verification', token: 'x', challenge: 'c-123' },
      { secret: SIGNING_SECRET },
    );
    expect(challenge.status).toBe(200);
    expect(await challenge.text()).toContain('c-123');

    const forged = [
      { secret: 'wrong-secret-0000000000000000' },
      { secret: SIGNING_SECRET, signature: null },
      { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    ];
    for (const options of forged) {
      const res = await signedDelivery(
        eventsUrl,
        messageEvent({ text: '@Andy forged plans' }),
        options,
      );
      expect(res.status).toBe(401);
    }

    const before = sentTo(GENERAL).length;
    const event = messageEvent({ text: '@Andy over http' });
    expect((await signedDelivery(eventsUrl, event, { secret: SIGNING_SECRET })).status).toBe(200);
    await replies(GENERAL, before + 1);
    const retry = await signedDelivery(eventsUrl, event, { secret: SIGNING_SECRET, retryNum: 1 });
    expect(retry.status).toBe(200);
    const next = messageEvent({ text: '@Andy after the retry' });
    expect((await signedDelivery(eventsUrl, next, { secret: SIGNING_SECRET })).status).toBe(200);
    const all = await replies(GENERAL, before + 2);
    expect(all.at(-1)!.text).toContain('after the retry');
    expect(sentTo(GENERAL)).toHaveLength(before + 2);
    expect(await storedLike('@Andy over http')).toHaveLength(1);
    expect(await storedLike('%forged plans%')).toEqual([]);
    expect(httpGateway.output()).not.toContain(SIGNING_SECRET);
  });

  it('refuses to start in HTTP mode without SLACK_SIGNING_SECRET, naming it', async () => {
    const result = await h.cli(['gateway', '--channel', 'slack'], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_MODE: 'http',
      SLACK_API_URL: slack.apiUrl,
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('SLACK_SIGNING_SECRET is not set');
  });
});
