/** The Discord channel (discord.js), imported on its own so other roles never load it. */
export { DiscordAdapter } from './discord-adapter.ts';
export type {
  DiscordAdapterOptions,
  DiscordShard,
} from './discord-adapter-options.ts';
export {
  formatDiscordMessage,
  type MassMentionGuard,
  markdownToDiscord,
} from './discord-markdown.ts';
export {
  type DiscordChannelInfo,
  type DiscordNormalizeContext,
  type DiscordNormalizeResult,
  normalizeDiscordDispatch,
} from './normalize-message.ts';
export { discordTarget } from './send-text.ts';
