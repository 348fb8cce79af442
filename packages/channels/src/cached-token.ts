/** Renewed this long before the platform says a token expires. */
const MARGIN_MS = 5 * 60_000;
/** When the platform names no lifetime. */
const DEFAULT_LIFETIME_MS = 7_200_000;

/**
 * An app access token (DingTalk's, WeCom's): fetched when first needed, shared by the calls
 * that ask meanwhile (one fetch at a time), kept until five minutes before it expires (or
 * half its life, when that is shorter), and dropped when the platform says it is stale.
 */
export class CachedToken {
  readonly #fetch: () => Promise<{ value: string; expiresInSeconds: number }>;
  #token: { value: string; until: number } | null = null;
  #fetching: Promise<string> | null = null;

  constructor(fetch: () => Promise<{ value: string; expiresInSeconds: number }>) {
    this.#fetch = fetch;
  }

  get(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return Promise.resolve(this.#token.value);
    this.#fetching ??= this.#refresh().finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  /** Forgets the token (the platform refused it): the next `get` fetches another. */
  drop(): void {
    this.#token = null;
  }

  async #refresh(): Promise<string> {
    const { value, expiresInSeconds } = await this.#fetch();
    const lifetime =
      Number.isFinite(expiresInSeconds) && expiresInSeconds > 0
        ? expiresInSeconds * 1000
        : DEFAULT_LIFETIME_MS;
    this.#token = { value, until: Date.now() + Math.max(lifetime - MARGIN_MS, lifetime / 2) };
    return value;
  }
}
