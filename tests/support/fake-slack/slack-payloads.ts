/**
 * Fixtures of the fake Slack: one workspace, its bot, people and conversations, and
 * builders of the payloads Slack delivers (Events API `event_callback` bodies and
 * `block_actions` interactive payloads), shaped as the Slack API docs describe them.
 */

export const TEAM_ID = 'T0GRIDBOT';
export const API_APP_ID = 'A0GRIDBOT';

export interface FakeSlackUser {
  id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
  tz: string;
  tz_label: string;
  tz_offset: number;
  profile: { display_name: string; real_name: string; bot_id?: string };
}

function person(
  id: string,
  name: string,
  realName: string,
  tz: string,
  label: string,
  offset: number,
): FakeSlackUser {
  return {
    id,
    name,
    real_name: realName,
    is_bot: false,
    tz,
    tz_label: label,
    tz_offset: offset,
    profile: { display_name: realName.split(' ')[0] ?? realName, real_name: realName },
  };
}

export const BOT_USER: FakeSlackUser = {
  id: 'U0BOT00001',
  name: 'gridbot',
  real_name: 'GridBot',
  is_bot: true,
  tz: 'UTC',
  tz_label: 'Coordinated Universal Time',
  tz_offset: 0,
  profile: { display_name: 'Andy', real_name: 'GridBot', bot_id: 'B0BOT00001' },
};
export const BOT_ID = 'B0BOT00001';
export const ALICE = person(
  'U0ALICE001',
  'alice',
  'Alice Liddell',
  'Europe/Berlin',
  'Central European Time',
  3600,
);
export const BOB = person(
  'U0BOB00001',
  'bob',
  'Bob Builder',
  'America/New_York',
  'Eastern Standard Time',
  -18000,
);

export const CHANNELS = {
  general: {
    id: 'C0GENERAL1',
    name: 'general',
    is_channel: true,
    is_private: false,
    is_im: false,
    is_mpim: false,
  },
  secret: {
    id: 'C0SECRET01',
    name: 'secret',
    is_channel: true,
    is_private: false,
    is_im: false,
    is_mpim: false,
  },
  private: {
    id: 'G0PRIVATE1',
    name: 'private-group',
    is_channel: false,
    is_group: true,
    is_private: true,
    is_im: false,
    is_mpim: false,
  },
  dm: { id: 'D0ALICEDM1', is_channel: false, is_im: true, is_mpim: false, user: ALICE.id },
} as const;

let clock = 1_764_000_000;
let serial = 0;

/** A fresh Slack timestamp (`<seconds>.<micro>`), later than every earlier one. */
export function nextTs(): string {
  clock += 1;
  serial += 1;
  return `${clock}.${String(serial).padStart(6, '0')}`;
}

/** A fresh Events API event id. */
export function eventId(): string {
  serial += 1;
  return `Ev${String(serial).padStart(10, '0')}`;
}

/** Wraps an event into the Events API body (`event_callback`). */
export function eventCallback(event: Record<string, unknown>): Record<string, unknown> {
  return {
    token: 'verification-token-unused',
    team_id: TEAM_ID,
    api_app_id: API_APP_ID,
    event,
    type: 'event_callback',
    event_id: eventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { team_id: TEAM_ID, user_id: BOT_USER.id, is_bot: true, is_enterprise_install: false },
    ],
  };
}

export interface MessageOptions {
  text?: string;
  channel?: string;
  channelType?: 'channel' | 'group' | 'im' | 'mpim';
  user?: string;
  ts?: string;
  threadTs?: string;
  type?: 'message' | 'app_mention';
  extra?: Record<string, unknown>;
}

const CHANNEL_TYPE_OF: Record<string, 'channel' | 'group' | 'im' | 'mpim'> = {
  C: 'channel',
  G: 'group',
  D: 'im',
};

/** A `message` (or `app_mention`) event by a person, wrapped as Slack delivers it. */
export function messageEvent(options: MessageOptions = {}): Record<string, unknown> {
  const channel = options.channel ?? CHANNELS.general.id;
  const type = options.type ?? 'message';
  const event: Record<string, unknown> = {
    type,
    user: options.user ?? ALICE.id,
    text: options.text ?? 'hello',
    ts: options.ts ?? nextTs(),
    channel,
    team: TEAM_ID,
    event_ts: options.ts ?? String(clock),
    ...(type === 'message' && {
      channel_type: options.channelType ?? CHANNEL_TYPE_OF[channel[0] ?? 'C'] ?? 'channel',
    }),
    ...(options.threadTs !== undefined && { thread_ts: options.threadTs }),
    ...options.extra,
  };
  return eventCallback(event);
}

/** A `message_changed` event: the message `ts` now reads `text`. */
export function editEvent(
  ts: string,
  text: string,
  channel: string = CHANNELS.general.id,
): Record<string, unknown> {
  const editedTs = nextTs();
  return eventCallback({
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel,
    channel_type: CHANNEL_TYPE_OF[channel[0] ?? 'C'] ?? 'channel',
    ts: editedTs,
    event_ts: editedTs,
    message: {
      type: 'message',
      user: ALICE.id,
      text,
      ts,
      edited: { user: ALICE.id, ts: editedTs },
    },
    previous_message: { type: 'message', user: ALICE.id, text: 'before', ts },
  });
}

/** A `message_deleted` event. */
export function deleteEvent(
  ts: string,
  channel: string = CHANNELS.general.id,
): Record<string, unknown> {
  const at = nextTs();
  return eventCallback({
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel,
    channel_type: 'channel',
    ts: at,
    deleted_ts: ts,
    event_ts: at,
  });
}

/** A `block_actions` payload: `user` pressed the button `actionId` under message `messageTs`. */
export function blockActionsPayload(options: {
  messageTs: string;
  actionId: string;
  value?: string;
  channel?: string;
  user?: FakeSlackUser;
  responseUrl?: string;
}): Record<string, unknown> {
  const user = options.user ?? ALICE;
  return {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM_ID },
    api_app_id: API_APP_ID,
    token: 'verification-token-unused',
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel ?? CHANNELS.general.id,
      is_ephemeral: false,
    },
    trigger_id: `trigger-${eventId()}`,
    team: { id: TEAM_ID, domain: 'gridbot-tests' },
    channel: { id: options.channel ?? CHANNELS.general.id, name: 'general' },
    message: {
      type: 'message',
      ts: options.messageTs,
      user: BOT_USER.id,
      bot_id: BOT_ID,
      text: 'Decide?',
    },
    response_url: options.responseUrl ?? 'http://127.0.0.1:9/response-url-unused',
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'gridbot-actions',
        value: options.value ?? options.actionId,
        text: { type: 'plain_text', text: 'Press', emoji: true },
        action_ts: nextTs(),
      },
    ],
  };
}
