/**
 * The behaviour every `ChannelAdapter` must show, run against each adapter's fake platform.
 * Not exported from the package (it imports vitest): test files import it by path and call
 * {@link describeChannelAdapterContract} with a setup for their adapter.
 */
import type { InboundEvent, InboundMessage, Jid } from '@gridbot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter, IngressHandler } from './channel-adapter.ts';

/** A message as the fake platform received it from `sendText`, in platform-neutral terms. */
export interface ContractSentMessage {
  /** The JID it was posted to, as the adapter would name that chat. */
  jid: string;
  text: string;
  /** The platform's reply field (message id replied to), or null. */
  replyTo: string | null;
  /** The id the platform gave the message. */
  messageId: string;
  /**
   * A file posted with `sendDocument`: its name, and its content as the platform received
   * it (null for a platform that serves files by link rather than receiving them).
   */
  document?: { fileName: string; content: string | null };
  /** The ids of the buttons under it, as a press would carry them (none: empty or absent). */
  actions?: string[];
}

/** Raw platform updates for each case; every call makes a fresh update with a new message id. */
export interface ContractUpdates {
  /**
   * A text message from a person in a group chat; absent where the platform hands the bot
   * no group messages (a WeCom app, which may send to its group chats but not hear them).
   */
  groupText?(text: string): unknown;
  /** A text message from a person in a direct (one-to-one) chat. */
  directText(text: string): unknown;
  /** A group message that mentions the bot the platform's way; absent as `groupText` is. */
  mentioningBot?(text: string): unknown;
  /** A group message replying to the bot's message `repliedToId`; absent where the platform has no replies (DingTalk's robots). */
  replyToBot?(text: string, repliedToId: string): unknown;
  /** An edit of an earlier group message, now reading `text`; absent where the platform has no edit events (DingTalk's robots). */
  edit?(text: string): { update: unknown; platformMessageId: string };
  /** A message sent by the bot itself. */
  fromBot(text: string): unknown;
  /**
   * A person in the group chat pressing the button `data` under the bot's message
   * `messageId`; absent where a button sends a chat command instead (DingTalk's action cards).
   */
  press?(messageId: string, data: string): unknown;
  /** Platform-specific malformed updates (missing ids, no sender, …). */
  malformed(): unknown[];
}

/** What a setup provides: an adapter already started with the suite's handler, and its fake. */
export interface ContractHarness {
  adapter: ChannelAdapter;
  /** The bot's id on the fake platform. */
  botId: string;
  /** A group chat on the fake platform, where `sendText` may post. */
  groupJid: Jid;
  /** A message id of the platform's shape, usable as `replyTo`. */
  sampleMessageId: string;
  updates: ContractUpdates;
  /**
   * False for a platform with no reply-to-a-message outside its threads (Slack, where a
   * thread is a GridBot thread of its own): a send with `replyTo` must still arrive, in the
   * chat, without a reply field. Default true.
   */
  replyField?: boolean;
  /**
   * True for a platform whose file messages carry no caption (DingTalk): `sendDocument`
   * sends the caption first, as a text message, then the file. Default false.
   */
  captionSeparately?: boolean;
  /**
   * Where the platform hands over no group messages: the direct chat the updates come from
   * (and where a button is pressed).
   */
  directJid?: Jid;
  /** What the fake platform received from `sendText`, in order. */
  sent(): Promise<ContractSentMessage[]>;
  /** Stops the adapter (if the test did not) and the fake platform. */
  close(): Promise<void>;
}

/** Builds a harness whose adapter was started with `onEvent`. */
export type ContractSetup = (onEvent: IngressHandler) => Promise<ContractHarness>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the sending cases post: the group, or the direct chat where groups are not heard. */
const sendJid = (harness: ContractHarness): Jid => harness.directJid ?? harness.groupJid;

/** A text message of any chat: a group's where the platform has them, else a direct one. */
function anyText(harness: ContractHarness, text: string): unknown {
  const { groupText, directText } = harness.updates;
  return groupText ? groupText(text) : directText(text);
}

function asMessage(event: InboundEvent | undefined): InboundMessage {
  expect(event?.kind).toBe('message');
  return event as InboundMessage;
}

/** Registers the channel-adapter contract suite for one adapter. */
export function describeChannelAdapterContract(name: string, setup: ContractSetup): void {
  describe(`${name} satisfies the ChannelAdapter contract`, () => {
    let harness: ContractHarness;
    let events: InboundEvent[];
    /** Replaceable per test; the adapter keeps the wrapper given to start(). */
    let handle: IngressHandler;

    beforeEach(async () => {
      events = [];
      handle = async (event) => {
        events.push(event);
      };
      harness = await setup((event) => handle(event));
    });

    afterEach(async () => {
      await harness.close();
    });

    it('knows its identity and names every JID after its channel', async () => {
      const { adapter } = harness;
      expect(adapter.channel).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(adapter.maxMessageLength).toBeGreaterThan(0);
      expect(adapter.identity().id).toBe(harness.botId);
      expect(harness.groupJid.startsWith(`${adapter.channel}:`)).toBe(true);
      await adapter.handleUpdate(anyText(harness, 'hello group'));
      const message = asMessage(events[0]);
      expect(message.channel).toBe(adapter.channel);
      expect(message.chat.jid.startsWith(`${adapter.channel}:`)).toBe(true);
    });

    it('normalizes a group text message', async (context) => {
      const { groupText } = harness.updates;
      if (!groupText) return context.skip('the platform hands the bot no group messages');
      await harness.adapter.handleUpdate(groupText('hello group'));
      expect(events).toHaveLength(1);
      expect(asMessage(events[0])).toMatchObject({
        kind: 'message',
        text: 'hello group',
        chat: { isGroup: true },
        sender: { isBot: false },
        replyTo: null,
        mentionsBot: false,
      });
    });

    it('normalizes a direct message as a private chat', async () => {
      await harness.adapter.handleUpdate(harness.updates.directText('hello me'));
      expect(asMessage(events[0])).toMatchObject({ text: 'hello me', chat: { isGroup: false } });
    });

    it('flags a mention of the bot', async (context) => {
      const { mentioningBot } = harness.updates;
      if (!mentioningBot) return context.skip('the platform hands the bot no group messages');
      await harness.adapter.handleUpdate(mentioningBot('what time is it?'));
      expect(asMessage(events[0])).toMatchObject({ mentionsBot: true, chat: { isGroup: true } });
    });

    it('flags a reply to the bot', async (context) => {
      const { replyToBot } = harness.updates;
      if (!replyToBot) return context.skip('the platform has no replies to a message');
      const replied = harness.sampleMessageId;
      await harness.adapter.handleUpdate(replyToBot('and then?', replied));
      expect(asMessage(events[0]).replyTo).toEqual({ platformMessageId: replied, fromBot: true });
    });

    it('turns an edit into an event of kind edit', async (context) => {
      if (!harness.updates.edit) return context.skip('the platform sends no edits');
      const { update, platformMessageId } = harness.updates.edit('fixed typo');
      await harness.adapter.handleUpdate(update);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'edit', platformMessageId, text: 'fixed typo' });
      expect(events[0]?.chat.jid.startsWith(`${harness.adapter.channel}:`)).toBe(true);
    });

    it('ignores the bot’s own messages', async () => {
      await harness.adapter.handleUpdate(harness.updates.fromBot('I said this'));
      expect(events).toEqual([]);
    });

    it('skips malformed updates without throwing', async () => {
      const malformed = [null, 'garbage', 42, [], {}, ...harness.updates.malformed()];
      for (const update of malformed) {
        await expect(harness.adapter.handleUpdate(update)).resolves.toBeUndefined();
      }
      expect(events).toEqual([]);
      await harness.adapter.handleUpdate(anyText(harness, 'still alive'));
      expect(events).toHaveLength(1);
    });

    it('hands a burst of 20 updates to the handler in arrival order', async () => {
      const started: string[] = [];
      handle = async (event) => {
        started.push(asMessage(event).text);
        await pause(started.length % 3 === 0 ? 15 : 1);
        events.push(event);
      };
      const texts = Array.from({ length: 20 }, (_, i) => `message ${i}`);
      await Promise.all(texts.map((text) => harness.adapter.handleUpdate(anyText(harness, text))));
      // Only the order of the calls is common ground: whether a slow commit may overlap the
      // next call is up to each adapter's transports (the Discord gateway and the Telegram
      // poller hold a chat's next update until the last one is committed).
      expect(started).toEqual(texts);
      expect(events).toHaveLength(20);
    });

    it('delivers the same update twice with the same platform message id (the DB dedupes)', async () => {
      const update = anyText(harness, 'once or twice');
      await harness.adapter.handleUpdate(update);
      await harness.adapter.handleUpdate(update);
      expect(events).toHaveLength(2);
      expect(events[0]?.platformMessageId).toBe(events[1]?.platformMessageId);
      expect(events[0]?.chat.jid).toBe(events[1]?.chat.jid);
    });

    it('sends a message of maxMessageLength characters intact', async () => {
      const { adapter } = harness;
      const text = 'a'.repeat(adapter.maxMessageLength);
      const id = await adapter.sendText(sendJid(harness), text, { replyTo: null });
      const sent = await harness.sent();
      expect(sent).toHaveLength(1);
      expect(sent[0]).toEqual({ jid: sendJid(harness), text, replyTo: null, messageId: id });
    });

    it('sets the platform’s reply field when sending with replyTo', async () => {
      const replyTo = harness.sampleMessageId;
      const id = await harness.adapter.sendText(sendJid(harness), 'an answer', { replyTo });
      const sent = await harness.sent();
      const expected = harness.replyField === false ? null : replyTo;
      expect(sent).toEqual([
        { jid: sendJid(harness), text: 'an answer', replyTo: expected, messageId: id },
      ]);
    });

    it('posts a document with its caption as one message', async () => {
      const { adapter } = harness;
      expect(adapter.maxDocumentBytes).toBeGreaterThanOrEqual(1024 * 1024);
      const content = '{"id":1,"text":"line one"}\n{"id":2,"text":"zwei ✓"}\n';
      const id = await adapter.sendDocument(
        sendJid(harness),
        {
          id: '7',
          fileName: 'history.jsonl',
          mimeType: 'application/x-ndjson',
          data: Buffer.from(content),
          caption: 'History of this chat',
        },
        { replyTo: null },
      );
      const all = await harness.sent();
      if (harness.captionSeparately) {
        expect(all).toHaveLength(2);
        expect(all[0]).toMatchObject({ jid: sendJid(harness), text: 'History of this chat' });
      } else expect(all).toHaveLength(1);
      const sent = all.slice(-1);
      expect(sent[0]).toMatchObject({
        jid: sendJid(harness),
        text: harness.captionSeparately ? '' : 'History of this chat',
        replyTo: null,
        messageId: id,
        document: { fileName: 'history.jsonl' },
      });
      const received = sent[0]?.document?.content;
      expect(received === null || received === content).toBe(true);
    });

    it('puts buttons under a message sent with actions, and none without', async () => {
      const actions = [
        { id: 'approve:7', label: 'Approve', style: 'primary' as const },
        { id: 'reject:7', label: 'Reject', style: 'danger' as const },
      ];
      const jid = sendJid(harness);
      await harness.adapter.sendText(jid, 'plain', { replyTo: null });
      await harness.adapter.sendText(jid, 'Decide?', { replyTo: null, actions });
      const [plain, decide] = await harness.sent();
      expect(plain?.actions ?? []).toEqual([]);
      expect(decide).toMatchObject({ text: 'Decide?', actions: ['approve:7', 'reject:7'] });
    });

    it('normalizes a press on a button as an action naming the message and the button', async (context) => {
      const { press } = harness.updates;
      if (!press) return context.skip('a button sends a chat command, not a press');
      await harness.adapter.handleUpdate(press(harness.sampleMessageId, 'reject:7'));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        kind: 'action',
        chat: harness.directJid
          ? { jid: harness.directJid, isGroup: false }
          : { jid: harness.groupJid, isGroup: true },
        sender: { isBot: false },
        platformMessageId: harness.sampleMessageId,
        data: 'reject:7',
      });
    });

    it('can be stopped twice', async () => {
      await harness.adapter.stop();
      await expect(harness.adapter.stop()).resolves.toBeUndefined();
    });
  });
}
