import { PlatformRateLimitError, PlatformRejectedError } from '@gridbot/core';
import { ErrorCode } from '@slack/web-api';

/**
 * Slack errors no retry fixes, and what to tell the operator
 * (https://docs.slack.dev/reference/methods/chat.postMessage#errors).
 */
const REJECTIONS: Record<string, string> = {
  channel_not_found: 'the channel does not exist or the app cannot see it',
  not_in_channel: 'the app is not a member of this channel: invite it (/invite @app)',
  is_archived: 'the channel is archived',
  restricted_action: 'a workspace setting forbids the app to post here',
  restricted_action_read_only_channel: 'the channel is read-only',
  restricted_action_thread_only_channel: 'the channel accepts thread replies only',
  restricted_action_non_threadable_channel: 'the channel does not allow threads',
  team_access_not_granted: 'the app is not installed for this workspace',
  msg_too_long: 'the message is too long for Slack',
  no_text: 'the message has no text',
  message_not_found: 'the message no longer exists',
  thread_not_found: 'the thread no longer exists',
};

/**
 * Maps a `@slack/web-api` error: a 429 (the client is told to reject rate-limited calls)
 * becomes `PlatformRateLimitError` with Slack's `Retry-After`, so egress pauses the
 * outbound queue; a refusal in {@link REJECTIONS} becomes `PlatformRejectedError` (the
 * outbox row fails at once with the reason). Anything else is returned as it is (retried).
 */
export function mapSlackError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === ErrorCode.RateLimitedError) {
    const seconds = Number((error as { retryAfter?: unknown }).retryAfter);
    return new PlatformRateLimitError(
      'slack',
      Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1000,
      {
        cause: error,
      },
    );
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = String((error as { data?: { error?: unknown } }).data?.error);
    const reason = REJECTIONS[slackError];
    if (reason)
      return new PlatformRejectedError('slack', `${reason} (${slackError})`, { cause: error });
  }
  return error;
}

/** Runs one Web API call, rethrowing its error through {@link mapSlackError}. */
export async function callSlack<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapSlackError(error);
  }
}
