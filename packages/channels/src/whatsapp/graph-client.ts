import { GridBotError } from '@gridbot/core';
import { type GraphErrorBody, mapGraphError } from './graph-error.ts';

export interface GraphClientOptions {
  /** API root with its version, e.g. `https://graph.facebook.com/v23.0`. */
  graphUrl: string;
  accessToken: string;
  /** Pause of the outbound queue on a rate limit without `Retry-After`. */
  rateLimitPauseMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

/**
 * The few Graph API calls the WhatsApp channel makes, over plain `fetch`: a maintained
 * client would add a dependency for three endpoints, and its retries and error shapes
 * would have to be undone so egress can map them. Every error answer goes through
 * {@link mapGraphError}; the token is sent as a bearer header and never logged.
 */
export class GraphClient {
  readonly #o: GraphClientOptions;

  constructor(options: GraphClientOptions) {
    this.#o = { ...options, graphUrl: options.graphUrl.replace(/\/+$/, '') };
  }

  get graphUrl(): string {
    return this.#o.graphUrl;
  }

  get<T>(path: string): Promise<T> {
    return this.#call<T>(path, { method: 'GET' });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  postForm<T>(path: string, form: FormData): Promise<T> {
    return this.#call<T>(path, { method: 'POST', body: form });
  }

  /** Fetches a media URL the API named (same token); the bytes and their type. */
  async download(
    url: string,
    mimeType: string | null,
  ): Promise<{ data: Uint8Array; mimeType: string | null }> {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${this.#o.accessToken}` },
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
    if (!response.ok) {
      throw new GridBotError(`Downloading WhatsApp media failed with HTTP ${response.status}.`);
    }
    return {
      data: new Uint8Array(await response.arrayBuffer()),
      mimeType: response.headers.get('content-type') ?? mimeType,
    };
  }

  async #call<T>(path: string, init: RequestInit): Promise<T> {
    const url = `${this.#o.graphUrl}/${path.replace(/^\/+/, '')}`;
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.#o.accessToken}` },
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (error) {
      throw new GridBotError(
        `Could not reach the WhatsApp Cloud API at ${this.#o.graphUrl}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) {
      const error = (body as { error?: GraphErrorBody } | null)?.error ?? null;
      throw mapGraphError(
        response.status,
        error,
        response.headers.get('retry-after'),
        this.#o.rateLimitPauseMs,
      );
    }
    if (body === null || typeof body !== 'object') {
      throw new GridBotError(
        `The WhatsApp Cloud API answered ${path} with something other than JSON (HTTP ${response.status}).`,
      );
    }
    return body as T;
  }
}
