import { GridBotError, PlatformRateLimitError, PlatformRejectedError } from '@gridbot/core';
import { CachedToken } from '../cached-token.ts';

type Rec = Record<string, unknown>;

export interface WeComApiOptions {
  /** API root, `https://qyapi.weixin.qq.com`. */
  apiBase: string;
  corpId: string;
  corpSecret: string;
  rateLimitPauseMs: number;
  timeoutMs: number;
}

/** Frequency limits: per app (45009), concurrency (45033), per member (45047 and 45009 kin). */
const RATE_LIMITED = new Set([45009, 45033, 45047]);
/** Codes no retry changes, with what they mean for the reply. */
const REJECTED: Record<number, string> = {
  40003: 'the user id is not in the organization',
  40050: 'the group chat does not exist',
  45002: 'the message is too long',
  60020: 'the server’s IP is not on the app’s trusted list',
  81013: 'the user is outside the app’s visible range',
  86003: 'the group chat does not exist',
  86004: 'the app is not in the group chat',
};
/** The access token expired or is invalid: fetch another and try again once. */
const TOKEN_STALE = new Set([40014, 42001]);

/**
 * The WeCom server API calls the channel makes, over plain `fetch`: the access token from
 * `gettoken` (cached until five minutes before it expires, fetched again when WeCom says it
 * is stale; never logged), and calls whose `errcode` is mapped: frequency limits pause the
 * outbound queue, refusals no retry changes fail the reply with WeCom's reason, the rest
 * (`-1` busy, network) are retried.
 */
export class WeComApi {
  readonly #o: WeComApiOptions;
  readonly #token = new CachedToken(() => this.#fetchToken());

  constructor(options: WeComApiOptions) {
    this.#o = { ...options, apiBase: options.apiBase.replace(/\/+$/, '') };
  }

  token(): Promise<string> {
    return this.#token.get();
  }

  async #fetchToken(): Promise<{ value: string; expiresInSeconds: number }> {
    const query = new URLSearchParams({ corpid: this.#o.corpId, corpsecret: this.#o.corpSecret });
    const body = await this.#json(`${this.#o.apiBase}/cgi-bin/gettoken?${query}`, {
      method: 'GET',
    });
    if (body.errcode !== 0 || typeof body.access_token !== 'string') {
      throw new GridBotError(
        `WeCom refused the app’s credentials (${String(body.errcode)}: ${String(body.errmsg)}): check WECOM_CORP_ID and WECOM_SECRET.`,
      );
    }
    return { value: body.access_token, expiresInSeconds: Number(body.expires_in) };
  }

  /** POSTs JSON to `/cgi-bin/<path>` with the token; the answer when `errcode` is 0. */
  post(path: string, payload: unknown): Promise<Rec> {
    return this.#call(path, (token) =>
      this.#json(`${this.#o.apiBase}/cgi-bin/${path}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      }),
    );
  }

  /** Uploads a temporary file (`media/upload`, type file); its `media_id`. */
  async upload(fileName: string, data: Uint8Array, mimeType: string): Promise<string> {
    const answer = await this.#call('media/upload', (token) => {
      const form = new FormData();
      form.append('media', new Blob([data], { type: mimeType }), fileName);
      return this.#json(
        `${this.#o.apiBase}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=file`,
        { method: 'POST', body: form },
      );
    });
    if (typeof answer.media_id !== 'string')
      throw new GridBotError('WeCom gave no media_id for the uploaded file');
    return answer.media_id;
  }

  /** Downloads a temporary file a person sent (`media/get`). */
  async download(
    mediaId: string,
    maxBytes: number,
  ): Promise<{ data: Uint8Array; mimeType: string | null }> {
    const token = await this.token();
    const query = new URLSearchParams({ access_token: token, media_id: mediaId });
    const response = await fetch(`${this.#o.apiBase}/cgi-bin/media/get?${query}`, {
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
    const type = response.headers.get('content-type');
    if (!response.ok || (type ?? '').startsWith('application/json')) {
      throw new GridBotError(
        `Downloading a WeCom file failed (HTTP ${response.status}${type?.startsWith('application/json') ? `: ${await response.text()}` : ''})`,
      );
    }
    const data = new Uint8Array(await response.arrayBuffer());
    if (data.byteLength > maxBytes)
      throw new GridBotError(`The WeCom file is larger than ${maxBytes} bytes.`);
    return { data, mimeType: type };
  }

  async #call(path: string, run: (token: string) => Promise<Rec>): Promise<Rec> {
    for (let attempt = 0; ; attempt++) {
      const answer = await run(await this.token());
      const code = Number(answer.errcode ?? 0);
      if (code === 0) return answer;
      if (TOKEN_STALE.has(code) && attempt === 0) {
        this.#token.drop();
        continue;
      }
      if (RATE_LIMITED.has(code))
        throw new PlatformRateLimitError('WeCom', this.#o.rateLimitPauseMs);
      const reason = REJECTED[code];
      if (reason)
        throw new PlatformRejectedError('WeCom', `${reason} (${code}: ${String(answer.errmsg)})`);
      throw new GridBotError(`WeCom refused ${path} (${code}: ${String(answer.errmsg)})`);
    }
  }

  async #json(url: string, init: RequestInit): Promise<Rec> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#o.timeoutMs) });
    if (!response.ok) throw new GridBotError(`WeCom answered HTTP ${response.status}`);
    return (await response.json()) as Rec;
  }
}
