import type { ChannelAdapter, ReceiveLease } from '@gridbot/channels';
import type { Logger } from '@gridbot/service';
import type { GatewayEnv } from '../env.ts';

/**
 * What the gateway app knows of one channel: whether its credentials are set, who may use
 * it without pairing, and how its adapter is built. Each channel has one file in this
 * folder; `create` loads the channel's SDK only when that channel runs.
 */
export interface ChannelSetup {
  /** The JID prefix and the `--channel` value, e.g. `telegram`. */
  readonly name: string;
  /** Whether the environment holds this channel's credentials (`gridbot start` runs it then). */
  configured(env: GatewayEnv): boolean;
  /** Platform user ids allowed to use direct chats without pairing. */
  allowedUsers(env: GatewayEnv): ReadonlySet<string>;
  /** Platform user ids who may decide any approval (`<CHANNEL>_ADMIN_USERS`). */
  adminUsers(env: GatewayEnv): ReadonlySet<string>;
  /** Builds the adapter, or throws a ConfigError saying what is missing. */
  create(env: GatewayEnv, logger: Logger, context?: ChannelContext): Promise<ChannelAdapter>;
}

/** What the running gateway offers an adapter besides the environment. */
export interface ChannelContext {
  /** The lease of an account only one gateway may receive for (`telegram:<bot id>`). */
  receiveLease?(account: string): ReceiveLease;
}
