import type { FeishuApi } from './feishu-api.ts';

type Person = { name: string; timeZone: string | null };
const DAY_MS = 24 * 60 * 60_000;
const ENTRIES = 5_000;

/**
 * People's names and time zones from the contact API, cached for a day (a failed lookup,
 * e.g. without a contact scope, for an hour), and whether a message is the bot's (a reply
 * to it addresses the assistant): the ids this adapter sent, else the message API's
 * `sender_type`.
 */
export class FeishuDirectory {
  readonly #api: FeishuApi;
  readonly #appId: string;
  readonly #people = new Map<string, { person: Person | null; until: number }>();
  readonly #botMessages = new Map<string, boolean>();
  readonly #groups = new Map<string, boolean>();

  constructor(api: FeishuApi, appId: string) {
    this.#api = api;
    this.#appId = appId;
  }

  person(openId: string): Person | null {
    return this.#people.get(openId)?.person ?? null;
  }

  isBotMessage(id: string): boolean {
    return this.#botMessages.get(id) ?? false;
  }

  isGroupChat(chatId: string): boolean {
    return this.#groups.get(chatId) ?? true;
  }

  rememberChat(chatId: string, isGroup: boolean): void {
    remember(this.#groups, chatId, isGroup);
  }

  rememberSent(id: string): void {
    remember(this.#botMessages, id, true);
  }

  /** Looks up what `person` and `isBotMessage` need for a person and a replied message. */
  async prefetch(openId: string | null, parentId: string | null): Promise<void> {
    await Promise.all([
      openId ? this.#lookUpPerson(openId) : null,
      parentId && !this.#botMessages.has(parentId) ? this.#lookUpMessage(parentId) : null,
    ]);
  }

  async #lookUpPerson(openId: string): Promise<void> {
    const cached = this.#people.get(openId);
    if (cached && cached.until > Date.now()) return;
    try {
      const answer = await this.#api.call<{
        data?: { user?: { name?: string; time_zone?: string } };
      }>('a user lookup', () =>
        this.#api.client.contact.v3.user.get({
          path: { user_id: openId },
          params: { user_id_type: 'open_id' },
        }),
      );
      const user = answer.data?.user;
      const person = user?.name ? { name: user.name, timeZone: user.time_zone || null } : null;
      remember(this.#people, openId, { person, until: Date.now() + DAY_MS });
    } catch {
      remember(this.#people, openId, { person: null, until: Date.now() + DAY_MS / 24 });
    }
  }

  async #lookUpMessage(id: string): Promise<void> {
    try {
      const answer = await this.#api.call<{
        data?: { items?: Array<{ sender?: { id?: string; sender_type?: string } }> };
      }>('a message lookup', () =>
        this.#api.client.im.v1.message.get({ path: { message_id: id } }),
      );
      const sender = answer.data?.items?.[0]?.sender;
      remember(this.#botMessages, id, sender?.sender_type === 'app' && sender.id === this.#appId);
    } catch {
      // Unknown: not taken for the bot's.
    }
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > ENTRIES) map.delete(map.keys().next().value as string);
}
