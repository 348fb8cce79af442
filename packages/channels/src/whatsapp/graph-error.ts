import { GridBotError, PlatformRateLimitError, PlatformRejectedError } from '@gridbot/core';

/**
 * WhatsApp error codes no retry fixes, and what to tell the operator
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
 */
export const REJECTIONS: Readonly<Record<number, string>> = {
  131047:
    'more than 24 hours have passed since the person last wrote, so WhatsApp accepts only a template message (set WHATSAPP_REENGAGE_TEMPLATE)',
  131026: 'the message is undeliverable (the number is not on WhatsApp, or cannot receive it)',
  131030: 'the recipient is not in the allowed list of this test number',
  131031: 'the business account is locked',
  131051: 'WhatsApp does not support this message type',
  131052: 'the media could not be downloaded by WhatsApp',
  131053: 'the media could not be uploaded',
  131009: 'a parameter value is invalid',
  131008: 'a required parameter is missing',
  131021: 'the recipient is the sender',
  132000: 'the template parameters do not match the template',
  132001: 'the template does not exist in this language',
  133010: 'the phone number is not registered with the Cloud API',
  368: 'the account is temporarily blocked for policy violations',
  100: 'WhatsApp refused a parameter of the request',
};

/** Codes that mean "slow down": throughput, pair and spam rate limits. */
const RATE_LIMITS = new Set([4, 80007, 130429, 131048, 131056]);

/** The `error` object of a Graph API error answer. */
export interface GraphErrorBody {
  code?: number;
  message?: string;
  error_subcode?: number;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

/** The code, words and details of a WhatsApp error, as the operator should read them. */
export function describeGraphError(error: GraphErrorBody): string {
  const details = error.error_data?.details;
  const words = [error.message, details].filter((part) => typeof part === 'string' && part);
  return `${words.join(': ') || 'no message'} (code ${error.code ?? 'unknown'})`;
}

/**
 * Maps a Graph API error answer: a rate-limit code (or HTTP 429) becomes
 * `PlatformRateLimitError`, pausing the outbound queue for `Retry-After` or `pauseMs`; a
 * code in {@link REJECTIONS} becomes `PlatformRejectedError` (the outbox row fails at once
 * with the reason); anything else (5xx, an expired token the operator can renew) is a
 * `GridBotError` egress retries.
 */
export function mapGraphError(
  status: number,
  error: GraphErrorBody | null,
  retryAfterHeader: string | null,
  pauseMs: number,
): Error {
  const code = error?.code;
  const described = error ? describeGraphError(error) : `HTTP ${status}`;
  if (status === 429 || (code !== undefined && RATE_LIMITS.has(code))) {
    const seconds = Number(retryAfterHeader);
    const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : pauseMs;
    return new PlatformRateLimitError('whatsapp', ms, {
      cause: new GridBotError(`WhatsApp rate limit: ${described}`),
    });
  }
  const reason = code === undefined ? undefined : REJECTIONS[code];
  if (reason) {
    return Object.assign(new PlatformRejectedError('whatsapp', `${reason}; ${described}`), {
      graphCode: code,
    });
  }
  return new GridBotError(`The WhatsApp Cloud API answered HTTP ${status}: ${described}`);
}

/** The WhatsApp error code a mapped refusal carries, or null. */
export function graphCodeOf(error: unknown): number | null {
  const code = (error as { graphCode?: unknown } | null)?.graphCode;
  return typeof code === 'number' ? code : null;
}

/** The error code of the 24-hour customer service window. */
export const REENGAGEMENT_REQUIRED = 131047;
