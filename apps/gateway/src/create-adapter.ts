import type { ChannelAdapter } from '@gridbot/channels';
import { ConfigError } from '@gridbot/core';
import type { Logger } from '@gridbot/service';
import type { ChannelContext, ChannelSetup } from './channels/channel-setup.ts';
import { dingtalkSetup } from './channels/dingtalk.ts';
import { discordSetup } from './channels/discord.ts';
import { feishuSetup } from './channels/feishu.ts';
import { slackSetup } from './channels/slack.ts';
import { telegramSetup } from './channels/telegram.ts';
import { wecomSetup } from './channels/wecom.ts';
import { whatsappSetup } from './channels/whatsapp.ts';
import type { GatewayEnv } from './env.ts';

/** Every channel this build can run a gateway for, in the order `gridbot start` lists them. */
const SETUPS: readonly ChannelSetup[] = [
  telegramSetup,
  discordSetup,
  slackSetup,
  whatsappSetup,
  feishuSetup,
  dingtalkSetup,
  wecomSetup,
];

/** Channels this build can run a gateway for. */
export const SUPPORTED_CHANNELS: readonly string[] = SETUPS.map((setup) => setup.name);

function setupOf(channel: string): ChannelSetup {
  const setup = SETUPS.find((candidate) => candidate.name === channel);
  if (!setup) {
    throw new ConfigError(
      `Unknown channel ${JSON.stringify(channel)}. Supported: ${SUPPORTED_CHANNELS.join(', ')}.`,
      [],
    );
  }
  return setup;
}

/** Channels whose credentials are present in the environment. */
export function configuredChannels(env: GatewayEnv): string[] {
  return SETUPS.filter((setup) => setup.configured(env)).map((setup) => setup.name);
}

/** Platform user ids allowed to use direct chats without pairing, per channel. */
export function allowedUsersFor(channel: string, env: GatewayEnv): ReadonlySet<string> {
  return SETUPS.find((setup) => setup.name === channel)?.allowedUsers(env) ?? new Set();
}

/** Platform user ids who may decide any approval (`<CHANNEL>_ADMIN_USERS`), per channel. */
export function adminUsersFor(channel: string, env: GatewayEnv): ReadonlySet<string> {
  return SETUPS.find((setup) => setup.name === channel)?.adminUsers(env) ?? new Set();
}

/**
 * Builds the adapter of one channel from the environment, or explains what is missing. Only
 * that channel's SDK is loaded (a Telegram gateway never loads discord.js).
 */
export async function createAdapter(
  channel: string,
  env: GatewayEnv,
  logger: Logger,
  context?: ChannelContext,
): Promise<ChannelAdapter> {
  return setupOf(channel).create(env, logger, context);
}
