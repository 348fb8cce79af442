import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { SlackUserInfo } from './normalize-event.ts';

/** How long a `users.info` / `conversations.info` answer is trusted: refreshed at most daily. */
export const DIRECTORY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a failed lookup waits before it is tried again. */
const FAILURE_TTL_MS = 60 * 1000;

interface Entry<T> {
  value: T | null;
  expires: number;
}

/**
 * An in-memory cache of people (`users.info`: name, username, time zone `tz`) and
 * conversation names (`conversations.info`), each refreshed at most once a day. The time
 * zone reaches the `users` row through the ordinary path: it rides on the message's
 * `Sender.timeZone` and ingress stores it.
 */
export class SlackDirectory {
  readonly #web: WebClient;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #users = new Map<string, Entry<SlackUserInfo>>();
  readonly #channels = new Map<string, Entry<string>>();

  constructor(web: WebClient, logger: Logger, now: () => number = Date.now) {
    this.#web = web;
    this.#logger = logger;
    this.#now = now;
  }

  user(id: string): SlackUserInfo | null {
    return this.#users.get(id)?.value ?? null;
  }

  channelName(id: string): string | null {
    return this.#channels.get(id)?.value ?? null;
  }

  /** Fetches the people and the conversation not cached (or stale); failures cost only the name. */
  async prefetch(userIds: readonly string[], channelId: string | null): Promise<void> {
    await Promise.all([
      ...userIds.slice(0, 20).map((id) => this.#fetchUser(id)),
      channelId !== null && !channelId.startsWith('D') ? this.#fetchChannel(channelId) : null,
    ]);
  }

  #fresh(entry: Entry<unknown> | undefined): boolean {
    return entry !== undefined && entry.expires > this.#now();
  }

  async #fetchUser(id: string): Promise<void> {
    if (this.#fresh(this.#users.get(id))) return;
    try {
      const { user } = await this.#web.users.info({ user: id });
      const profile = user?.profile;
      const name =
        profile?.display_name || user?.real_name || profile?.real_name || user?.name || id;
      this.#users.set(id, {
        value: {
          name,
          username: user?.name ?? null,
          timeZone: user?.tz ?? null,
          isBot: user?.is_bot === true,
        },
        expires: this.#now() + DIRECTORY_TTL_MS,
      });
    } catch (error) {
      this.#logger.warn({ err: error, userId: id }, 'could not look up a slack user (users.info)');
      this.#users.set(id, {
        value: this.#users.get(id)?.value ?? null,
        expires: this.#now() + FAILURE_TTL_MS,
      });
    }
  }

  async #fetchChannel(id: string): Promise<void> {
    if (this.#fresh(this.#channels.get(id))) return;
    try {
      const { channel } = await this.#web.conversations.info({ channel: id });
      this.#channels.set(id, {
        value: channel?.name ?? null,
        expires: this.#now() + DIRECTORY_TTL_MS,
      });
    } catch (error) {
      this.#logger.warn({ err: error, channelId: id }, 'could not look up a slack conversation');
      this.#channels.set(id, {
        value: this.#channels.get(id)?.value ?? null,
        expires: this.#now() + FAILURE_TTL_MS,
      });
    }
  }
}
