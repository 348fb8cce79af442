import { GridBotError, PlatformRateLimitError, PlatformRejectedError } from '@gridbot/core';
import { CachedToken } from '../cached-token.ts';

export interface RobotApiOptions {
  /** OpenAPI root, `https://api.dingtalk.com`. */
  apiBase: string;
  /** The legacy API's root, `https://oapi.dingtalk.com` (file uploads). */
  oapiBase: string;
  /** The app's AppKey (Client ID), also the robot's `robotCode`. */
  appKey: string;
  appSecret: string;
  /** Pause of the outbound queue on a rate limit. */
  rateLimitPauseMs: number;
  timeoutMs: number;
}

type Rec = Record<string, unknown>;

/** A DingTalk API error answer: HTTP status, its `code` and `message`. */
export class DingTalkApiError extends GridBotError {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(`DingTalk answered HTTP ${status} (${code}): ${message}`);
    this.name = 'DingTalkApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * The robot's calls to DingTalk's OpenAPI over plain `fetch`: the app access token
 * (`/v1.0/oauth2/accessToken`, cached until five minutes before it expires and fetched
 * again after a 401), and authenticated POSTs. Failures are mapped for egress: a QPS limit
 * (HTTP 403 `…QpsLimit…`, or 429) pauses the outbound queue, other 4xx answers fail the
 * reply at once with DingTalk's reason, and 5xx or network errors are retried. The app
 * secret and the token are never logged.
 */
export class RobotApi {
  readonly #o: RobotApiOptions;
  readonly #token = new CachedToken(() => this.#fetchToken());

  constructor(options: RobotApiOptions) {
    this.#o = {
      ...options,
      apiBase: options.apiBase.replace(/\/+$/, ''),
      oapiBase: options.oapiBase.replace(/\/+$/, ''),
    };
  }

  get robotCode(): string {
    return this.#o.appKey;
  }

  /** The app access token, fetched when missing or about to expire. */
  token(): Promise<string> {
    return this.#token.get();
  }

  async #fetchToken(): Promise<{ value: string; expiresInSeconds: number }> {
    const body = await this.#json(`${this.#o.apiBase}/v1.0/oauth2/accessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appKey: this.#o.appKey, appSecret: this.#o.appSecret }),
    });
    const value = body.accessToken;
    const seconds = Number(body.expireIn);
    if (typeof value !== 'string' || value === '') {
      throw new GridBotError(
        'DingTalk gave no access token for the app (check DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET).',
      );
    }
    return { value, expiresInSeconds: seconds };
  }

  /** POSTs JSON to an OpenAPI path with the token; once more with a new token after a 401. */
  async post(path: string, payload: unknown): Promise<Rec> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      try {
        return await this.#json(`${this.#o.apiBase}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
          body: JSON.stringify(payload),
        });
      } catch (error) {
        if (error instanceof DingTalkApiError && error.status === 401 && attempt === 0) {
          this.#token.drop();
          continue;
        }
        throw this.#mapped(error);
      }
    }
  }

  /** Uploads a file to the legacy media API; its `media_id`. */
  async upload(fileName: string, data: Uint8Array, mimeType: string): Promise<string> {
    const form = new FormData();
    form.append('media', new Blob([data], { type: mimeType }), fileName);
    const token = await this.token();
    const query = new URLSearchParams({ access_token: token, type: 'file' });
    let body: Rec;
    try {
      body = await this.#json(`${this.#o.oapiBase}/media/upload?${query}`, {
        method: 'POST',
        body: form,
      });
    } catch (error) {
      throw this.#mapped(error);
    }
    if (body.errcode !== 0 || typeof body.media_id !== 'string') {
      throw new PlatformRejectedError(
        'DingTalk',
        `the file upload failed (${String(body.errcode)}: ${String(body.errmsg)})`,
      );
    }
    return body.media_id;
  }

  /** Downloads a file a person sent, by its `downloadCode`. */
  async download(
    downloadCode: string,
    maxBytes: number,
  ): Promise<{ data: Uint8Array; mimeType: string | null }> {
    const { downloadUrl } = await this.post('/v1.0/robot/messageFiles/download', {
      downloadCode,
      robotCode: this.robotCode,
    });
    if (typeof downloadUrl !== 'string')
      throw new GridBotError('DingTalk gave no download URL for the file.');
    const response = await fetch(downloadUrl, { signal: AbortSignal.timeout(this.#o.timeoutMs) });
    if (!response.ok)
      throw new GridBotError(`Downloading a DingTalk file failed with HTTP ${response.status}.`);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      throw new GridBotError(`The DingTalk file is larger than ${maxBytes} bytes.`);
    }
    const data = new Uint8Array(await response.arrayBuffer());
    if (data.byteLength > maxBytes)
      throw new GridBotError(`The DingTalk file is larger than ${maxBytes} bytes.`);
    return { data, mimeType: response.headers.get('content-type') };
  }

  #mapped(error: unknown): unknown {
    if (!(error instanceof DingTalkApiError)) return error;
    if (error.status === 429 || /QpsLimit|tooFast|too\.fast/i.test(error.code)) {
      return new PlatformRateLimitError('DingTalk', this.#o.rateLimitPauseMs, { cause: error });
    }
    if (error.status >= 400 && error.status < 500) {
      return new PlatformRejectedError('DingTalk', `${error.code}: ${error.message}`, {
        cause: error,
      });
    }
    return error;
  }

  async #json(url: string, init: RequestInit): Promise<Rec> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#o.timeoutMs) });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {}
    const record = typeof body === 'object' && body !== null ? (body as Rec) : {};
    if (!response.ok) {
      throw new DingTalkApiError(
        response.status,
        String(record.code ?? 'unknown'),
        String(record.message ?? text.slice(0, 200)),
      );
    }
    return record;
  }
}
