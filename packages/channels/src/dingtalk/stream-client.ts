import { DWClient, TOPIC_ROBOT } from 'dingtalk-stream';

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** OpenAPI root; the connection is opened at `<apiBase>/v1.0/gateway/connections/open`. */
  apiBase: string;
  timeoutMs: number;
}

/**
 * dingtalk-stream's client with two things it lacks: the gateway endpoint is asked for at
 * `apiBase` (the SDK hard-codes api.dingtalk.com) with a clear error for refused
 * credentials, and `disconnect()` is final (in the SDK a reconnect already scheduled
 * undoes it). Only robot message callbacks are subscribed.
 */
export class StreamClient extends DWClient {
  readonly #o: StreamClientOptions;
  #stopped = false;

  constructor(options: StreamClientOptions) {
    // `subscriptions` given here, not pushed onto the SDK's shared default list.
    super({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      keepAlive: true,
      ua: 'gridbot',
      subscriptions: [{ type: 'CALLBACK', topic: TOPIC_ROBOT }],
    } as ConstructorParameters<typeof DWClient>[0]);
    this.#o = { ...options, apiBase: options.apiBase.replace(/\/+$/, '') };
  }

  override async getEndpoint(): Promise<this> {
    const response = await fetch(`${this.#o.apiBase}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: this.#o.clientId,
        clientSecret: this.#o.clientSecret,
        ua: this.config.ua,
        subscriptions: this.config.subscriptions,
      }),
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      throw new Error(
        `opening a Stream connection was refused with HTTP ${response.status} (${String(body.code ?? '')}: ${String(body.message ?? '')})`,
      );
    }
    const { endpoint, ticket } = body;
    if (typeof endpoint !== 'string' || typeof ticket !== 'string') {
      throw new Error('DingTalk gave no Stream endpoint and ticket');
    }
    Reflect.set(this, 'dw_url', `${endpoint}?ticket=${encodeURIComponent(ticket)}`);
    return this;
  }

  override async connect(): Promise<void> {
    if (this.#stopped) return;
    await super.connect();
  }

  override disconnect(): void {
    this.#stopped = true;
    super.disconnect();
  }
}
