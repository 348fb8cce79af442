/** What the Discord adapter reads off gateway packets and close codes. */

/** Gateway close codes after which discord.js gives up, and what to do about them. */
export const FATAL_CLOSE: Record<number, string> = {
  4004: 'authentication failed: check the bot token',
  4010: 'invalid shard',
  4011: 'sharding required: the bot is in too many guilds for one connection',
  4012: 'invalid gateway API version',
  4013: 'invalid intents',
  4014: 'disallowed intents: enable the Message Content intent for the bot in the Discord developer portal',
};

export type Packet = { t?: unknown; d?: unknown };

/** Fields worth logging about a dispatch that could not be delivered; never its content. */
export function dispatchFields(packet: Packet): Record<string, unknown> {
  const d = (typeof packet.d === 'object' && packet.d !== null ? packet.d : {}) as Record<
    string,
    unknown
  >;
  return { dispatch: packet.t, messageId: d.id, channelId: d.channel_id };
}

/** The channel (or thread) a dispatch belongs to, for ordering; those without one share a key. */
export function channelKeyOf(packet: Packet): string {
  const { channelId } = dispatchFields(packet);
  return typeof channelId === 'string' ? channelId : 'none';
}
