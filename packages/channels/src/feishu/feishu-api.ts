import { GridBotError, PlatformRateLimitError, PlatformRejectedError } from '@gridbot/core';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';

type Rec = Record<string, unknown>;

/** Codes no retry changes: the bot is out of the chat, the person blocked it, the text is too long, … */
const REJECTED: Record<number, string> = {
  230001: 'the message was refused as invalid',
  230002: 'the bot is not in the chat',
  230013: 'the person is outside the bot’s availability',
  230017: 'the bot does not own the message',
  230025: 'the message is too long',
  230035: 'the bot may not speak in the chat',
  230053: 'the person blocked the bot',
};
/** Codes of a frequency limit: the gateway's (99991400) and a chat's (230020). */
const RATE_LIMITED = new Set([99991400, 230020]);

/** The SDK's log lines, as pino lines: text only, so no request (or token) is ever logged. */
function sdkLogger(logger: Logger): lark.Logger {
  const line = (args: unknown[]) =>
    args
      .flat()
      .map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : ''))
      .filter(Boolean)
      .join(' ')
      .slice(0, 500);
  return {
    error: (...args: unknown[]) => logger.warn(`lark sdk: ${line(args)}`),
    warn: (...args: unknown[]) => logger.warn(`lark sdk: ${line(args)}`),
    info: (...args: unknown[]) => logger.debug(`lark sdk: ${line(args)}`),
    debug: (...args: unknown[]) => logger.debug(`lark sdk: ${line(args)}`),
    trace: () => {},
  };
}

export interface FeishuApiOptions {
  appId: string;
  appSecret: string;
  /** Feishu's or Lark's (the SDK's `Domain`), or another root URL (a fake). */
  domain: string | lark.Domain;
  logger: Logger;
  /** Pause of the outbound queue on a frequency limit Feishu does not time. */
  rateLimitPauseMs: number;
}

/**
 * The Feishu OpenAPI calls the channel makes, through the SDK's client (which fetches the
 * tenant access token and refreshes it before it expires). Every answer is checked: a
 * `code` other than 0 or an HTTP error becomes a {@link PlatformRateLimitError} (HTTP 429,
 * 99991400, 230020; `x-ogw-ratelimit-reset` seconds when given), a
 * {@link PlatformRejectedError} for codes no retry changes, or a `GridBotError`, retried.
 */
export class FeishuApi {
  readonly client: lark.Client;
  readonly logger: lark.Logger;
  readonly #pauseMs: number;

  constructor(options: FeishuApiOptions) {
    this.logger = sdkLogger(options.logger);
    this.#pauseMs = options.rateLimitPauseMs;
    this.client = new lark.Client({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: options.domain,
      appType: lark.AppType.SelfBuild,
      logger: this.logger,
      loggerLevel: lark.LoggerLevel.warn,
      // The SDK's default cache is shared by every client of the process (keyed by app id).
      cache: new lark.DefaultCache(),
    });
  }

  /** Runs one call; its `data`, or the mapped failure. */
  async call<T extends Rec>(what: string, run: () => Promise<unknown>): Promise<T> {
    let answer: Rec;
    try {
      answer = (await run()) as Rec;
    } catch (error) {
      throw this.#mapped(what, error);
    }
    return this.#checked<T>(what, answer);
  }

  #checked<T>(what: string, answer: Rec): T {
    const code = Number(answer?.code ?? 0);
    if (code === 0) return answer as T;
    throw this.#byCode(what, code, String(answer.msg ?? ''), null);
  }

  #byCode(what: string, code: number, msg: string, resetSeconds: number | null): Error {
    if (RATE_LIMITED.has(code)) {
      return new PlatformRateLimitError(
        'Feishu',
        resetSeconds !== null ? resetSeconds * 1000 : this.#pauseMs,
      );
    }
    const reason = REJECTED[code];
    if (reason) return new PlatformRejectedError('Feishu', `${reason} (${code}: ${msg})`);
    return new GridBotError(`Feishu refused ${what} (${code}: ${msg})`);
  }

  #mapped(what: string, error: unknown): unknown {
    const response = (error as { response?: { status?: number; data?: unknown; headers?: Rec } })
      .response;
    if (!response) return error;
    const data =
      typeof response.data === 'object' && response.data !== null ? (response.data as Rec) : {};
    const reset = Number(response.headers?.['x-ogw-ratelimit-reset']);
    const seconds = Number.isFinite(reset) && reset > 0 ? reset : null;
    if (response.status === 429)
      return new PlatformRateLimitError(
        'Feishu',
        seconds !== null ? seconds * 1000 : this.#pauseMs,
      );
    const code = Number(data.code);
    if (Number.isFinite(code) && code !== 0)
      return this.#byCode(what, code, String(data.msg ?? ''), seconds);
    return new GridBotError(`Feishu answered ${what} with HTTP ${response.status}`);
  }
}
