import { inboundActionSchema } from '@gridbot/core';
import type {
  DiscordChannelInfo,
  DiscordNormalizeContext,
  DiscordNormalizeResult,
} from './normalize-message.ts';
import { displayName, resolveChat } from './normalize-message.ts';

type Rec = Record<string, unknown>;

/** Interaction type 3: a press on a message component (Discord, Interaction Object). */
const MESSAGE_COMPONENT = 3;
/** Component type 2: a button. */
const BUTTON = 2;
/** The prefix of GridBot's buttons' `custom_id`s (others belong to someone else). */
export const CUSTOM_ID_PREFIX = 'gridbot:';
const SNOWFLAKE = /^\d{1,20}$/;

const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isSnowflake = (value: unknown): value is string =>
  typeof value === 'string' && SNOWFLAKE.test(value);

/**
 * An `INTERACTION_CREATE`'s `d`: a press on one of GridBot's buttons becomes an
 * `InboundAction` (`actionId` and `actionToken`: the interaction's id and token, for its
 * callback; `data`: the `custom_id` without `gridbot:`). Other interactions (slash
 * commands, other components, buttons of another app) are ignored. The presser is
 * `member.user` in a guild, `user` in a DM; the chat maps as messages do (the interaction's
 * partial `channel` stands in for a channel discord.js has not cached).
 */
export function normalizeDiscordInteraction(
  d: unknown,
  context: DiscordNormalizeContext,
): DiscordNormalizeResult {
  if (!isRecord(d) || !isSnowflake(d.id))
    return { outcome: 'invalid', messageId: null, reason: 'INTERACTION_CREATE: no id' };
  const invalid = (reason: string): DiscordNormalizeResult => ({
    outcome: 'invalid',
    messageId: null,
    reason: `INTERACTION_CREATE ${String(d.id)}: ${reason}`,
  });
  const ignored = (reason: string): DiscordNormalizeResult => ({
    outcome: 'ignored',
    messageId: null,
    reason,
  });
  if (d.type !== MESSAGE_COMPONENT) return ignored(`interaction of type ${String(d.type)}`);
  const data = d.data;
  if (!isRecord(data) || typeof data.custom_id !== 'string')
    return invalid('data.custom_id is missing');
  if (data.component_type !== BUTTON || !data.custom_id.startsWith(CUSTOM_ID_PREFIX))
    return ignored('not a GridBot button');
  if (typeof d.token !== 'string' || d.token === '') return invalid('token is missing');
  if (!isSnowflake(d.channel_id)) return invalid('channel_id is missing or not a snowflake');
  const message = d.message;
  if (!isRecord(message) || !isSnowflake(message.id)) return invalid('message is missing');
  const member = isRecord(d.member) ? d.member : null;
  const user = member && isRecord(member.user) ? member.user : d.user;
  if (!isRecord(user) || !isSnowflake(user.id) || typeof user.username !== 'string')
    return invalid('neither member.user nor user names the presser');
  const channelId = d.channel_id;
  const partial = isRecord(d.channel) ? d.channel : null;
  const fromInteraction: DiscordChannelInfo | null =
    partial && typeof partial.type === 'number'
      ? {
          type: partial.type,
          parentId: typeof partial.parent_id === 'string' ? partial.parent_id : null,
          name: typeof partial.name === 'string' ? partial.name : null,
        }
      : null;
  const name = displayName(user, member);
  const chat = resolveChat(
    { guild_id: d.guild_id, channel_type: fromInteraction?.type },
    channelId,
    { ...context, lookupChannel: (id) => context.lookupChannel(id) ?? fromInteraction },
    name,
  );
  if (typeof chat === 'string')
    return { outcome: 'unsupported', messageId: message.id, channelId, reason: chat };
  const parsed = inboundActionSchema.safeParse({
    kind: 'action',
    channel: 'discord',
    chat,
    sender: {
      platformUserId: user.id,
      name,
      username: user.username.slice(0, 256),
      isBot: user.bot === true,
    },
    actionId: d.id,
    actionToken: d.token,
    platformMessageId: message.id,
    data: data.custom_id.slice(CUSTOM_ID_PREFIX.length),
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
}
