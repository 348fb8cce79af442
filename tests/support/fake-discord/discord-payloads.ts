/**
 * The fake Discord's fixed world (a bot, one guild with a text channel, a thread and a
 * voice channel, a second guild with a text channel, a DM channel, two people) and builders for the raw gateway payloads
 * (`d` of MESSAGE_CREATE / MESSAGE_UPDATE) tests dispatch. Shapes follow Discord API v10.
 */

type Rec = Record<string, unknown>;

/** Discord's epoch (2015-01-01), the zero of snowflake timestamps. */
const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A fresh, increasing snowflake id, as Discord builds them (time << 22 | counter). */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) % 4096n;
  return String(((BigInt(at) - DISCORD_EPOCH) << 22n) | increment);
}

/** A Discord user object. */
export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  bot?: boolean;
}

export const BOT_USER: FakeUser = {
  id: '1100000000000000001',
  username: 'gridbot',
  global_name: 'GridBot',
  bot: true,
};
export const ALICE: FakeUser = {
  id: '1100000000000000042',
  username: 'alice',
  global_name: 'Alice',
};
export const BOB: FakeUser = { id: '1100000000000000043', username: 'bob', global_name: null };
export const OTHER_BOT: FakeUser = {
  id: '1100000000000000099',
  username: 'otherbot',
  global_name: null,
  bot: true,
};

export const GUILD = { id: '1200000000000000001', name: 'Tea party' };
/**
 * A second guild, for sharded gateways: with two shards it is shard 0's
 * (`(id >> 22) % 2`), where GUILD is shard 1's.
 */
export const SECOND_GUILD = { id: '1200000000004194305', name: 'Book club' };

/** The channels the fake knows; GUILD_CREATE announces the guild ones. Types are Discord's. */
export const CHANNELS = {
  text: { id: '1300000000000000001', type: 0, name: 'general', guild_id: GUILD.id },
  thread: {
    id: '1300000000000000002',
    type: 11,
    name: 'planning',
    guild_id: GUILD.id,
    parent_id: '1300000000000000001',
  },
  voice: { id: '1300000000000000003', type: 2, name: 'Lounge', guild_id: GUILD.id },
  dm: { id: '1300000000000000004', type: 1, recipients: [ALICE] },
  books: { id: '1300000000000000005', type: 0, name: 'books', guild_id: SECOND_GUILD.id },
} as const;

/** The GUILD_CREATE payload of a guild (sent after READY): the guild, its channels and active threads. */
export function guildCreatePayload(guildId: string = GUILD.id): Rec {
  const { thread, text, voice, books } = CHANNELS;
  const second = guildId === SECOND_GUILD.id;
  return {
    id: guildId,
    name: second ? SECOND_GUILD.name : GUILD.name,
    unavailable: false,
    owner_id: ALICE.id,
    joined_at: new Date(0).toISOString(),
    large: false,
    member_count: 3,
    features: [],
    roles: [
      {
        id: guildId,
        name: '@everyone',
        permissions: '1024',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: second
      ? [{ ...books, position: 0, permission_overwrites: [] }]
      : [
          { ...text, position: 0, permission_overwrites: [] },
          { ...voice, position: 1, permission_overwrites: [], bitrate: 64_000, user_limit: 0 },
        ],
    threads: second
      ? []
      : [
          {
            ...thread,
            owner_id: ALICE.id,
            message_count: 0,
            member_count: 1,
            thread_metadata: {
              archived: false,
              auto_archive_duration: 1440,
              archive_timestamp: new Date(0).toISOString(),
              locked: false,
            },
          },
        ],
  };
}

/** Options of {@link messagePayload}; everything has a sensible default. */
export interface MessageOptions {
  content?: string;
  /** Channel id; a guild channel of the fixture gets `guild_id`, the DM channel does not. */
  channelId?: string;
  author?: FakeUser;
  id?: string;
  /** Users mentioned (the `mentions` array); `<@id>` in `content` is up to the caller. */
  mentions?: FakeUser[];
  /** Makes it a reply (type 19) to this message, whose author is `repliedAuthor`. */
  replyTo?: { id: string; author: FakeUser };
  attachments?: Rec[];
  /** Extra or overriding fields, e.g. `{ channel_type: 2 }`. */
  extra?: Rec;
}

/** The guild of each guild channel of the fixture. */
const GUILD_OF = new Map<string, string>([
  [CHANNELS.text.id, GUILD.id],
  [CHANNELS.thread.id, GUILD.id],
  [CHANNELS.voice.id, GUILD.id],
  [CHANNELS.books.id, SECOND_GUILD.id],
]);

/** A full MESSAGE_CREATE `d` payload, as Discord sends it to a bot with the message-content intent. */
export function messagePayload(options: MessageOptions = {}): Rec {
  const channelId = options.channelId ?? CHANNELS.text.id;
  const author = options.author ?? ALICE;
  const guildId = GUILD_OF.get(channelId);
  const reply = options.replyTo;
  return {
    id: options.id ?? snowflake(),
    type: reply === undefined ? 0 : 19,
    channel_id: channelId,
    ...(guildId ? { guild_id: guildId, member: { roles: [], nick: null } } : {}),
    ...(channelId === CHANNELS.dm.id ? { channel_type: 1 } : {}),
    author: { discriminator: '0', avatar: null, ...author },
    content: options.content ?? 'hello',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: (options.mentions ?? []).map((user) => ({
      discriminator: '0',
      avatar: null,
      ...user,
    })),
    mention_roles: [],
    attachments: options.attachments ?? [],
    embeds: [],
    pinned: false,
    flags: 0,
    ...(reply === undefined
      ? {}
      : {
          message_reference: { type: 0, message_id: reply.id, channel_id: channelId },
          referenced_message: {
            id: reply.id,
            type: 0,
            channel_id: channelId,
            author: { discriminator: '0', avatar: null, ...reply.author },
            content: 'earlier',
            timestamp: new Date().toISOString(),
            edited_timestamp: null,
            mentions: [],
            attachments: [],
            embeds: [],
          },
        }),
    ...options.extra,
  };
}

/** A MESSAGE_UPDATE `d` payload: `original` with new content and an edit timestamp. */
export function editPayload(original: Rec, content: string): Rec {
  return { ...original, content, edited_timestamp: new Date().toISOString() };
}

/**
 * An INTERACTION_CREATE `d` for a press on a button (type 3, MESSAGE_COMPONENT; component
 * type 2) of `message` in `channelId`, by `user`: in a guild channel the presser comes as
 * `member.user`, in a DM as `user` (Discord, Interaction Object). `token` answers it.
 */
export function buttonInteractionPayload(options: {
  id: string;
  token: string;
  user: FakeUser;
  customId: string;
  message: Rec;
  channelId?: string;
}): Rec {
  const channelId = options.channelId ?? CHANNELS.text.id;
  const guildId = GUILD_OF.get(channelId);
  const user = { discriminator: '0', avatar: null, ...options.user };
  const channel = Object.values(CHANNELS).find((c) => c.id === channelId);
  return {
    id: options.id,
    application_id: BOT_USER.id,
    type: 3,
    token: options.token,
    version: 1,
    channel_id: channelId,
    ...(channel && { channel: { ...channel } }),
    ...(guildId ? { guild_id: guildId, member: { roles: [], nick: null, user } } : { user }),
    message: options.message,
    data: { custom_id: options.customId, component_type: 2 },
    locale: 'en-US',
    ...(guildId && { guild_locale: 'en-US' }),
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: { '0': guildId ?? GUILD.id },
    context: guildId ? 0 : 1,
    attachment_size_limit: 10 * 1024 * 1024,
  };
}
