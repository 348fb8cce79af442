import { LlmUnavailableError } from './llm-provider.ts';

/** What went wrong with a provider call, once the SDK has given up (SDK-neutral). */
export type ProviderFailure =
  | { kind: 'http'; status: number; retried: boolean }
  | { kind: 'timeout' }
  | { kind: 'connection' };

/** What the message needs to know about the call besides the failure. */
export interface FailureContext {
  provider: string;
  model: string;
  maxRetries: number;
  timeoutMs: number;
}

/**
 * Whether the SDKs (both Stainless-generated, same policy) retried a response with this status:
 * the server's `x-should-retry` header wins, else 408, 409, 429 and 5xx are retried.
 */
export function isRetriedStatus(status: number, shouldRetryHeader: string | null): boolean {
  if (shouldRetryHeader === 'true') return true;
  if (shouldRetryHeader === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

function attempts(count: number): string {
  return count === 1 ? '1 attempt' : `${count} attempts`;
}

/**
 * One line for the chat saying why the model did not answer. It names the provider, the HTTP
 * status and the number of attempts, never the key or the request.
 */
export function describeFailure(failure: ProviderFailure, context: FailureContext): string {
  const who = `The model provider (${context.provider})`;
  const tries = context.maxRetries + 1;
  switch (failure.kind) {
    case 'timeout':
      return `${who} is not answering: timed out after ${seconds(context.timeoutMs)} (${attempts(tries)}).`;
    case 'connection':
      return `${who} is not answering: could not connect (${attempts(tries)}).`;
    case 'http': {
      const { status } = failure;
      const made = attempts(failure.retried ? tries : 1);
      if (status === 401 || status === 403) {
        return `${who} rejected the API key (HTTP ${status}). Check the key the worker is configured with.`;
      }
      if (status === 429) return `${who} is rate limiting us: HTTP 429 after ${made}.`;
      if (status === 404) {
        return `${who} does not know the model "${context.model}" or the endpoint (HTTP 404).`;
      }
      if (status >= 500) return `${who} is not answering: HTTP ${status} after ${made}.`;
      return `${who} refused the request: HTTP ${status} after ${made}.`;
    }
  }
}

/** The {@link LlmUnavailableError} for a failure, with the SDK's error as `cause` for the logs. */
export function unavailableError(
  failure: ProviderFailure,
  context: FailureContext,
  cause: unknown,
): LlmUnavailableError {
  const status = failure.kind === 'http' ? failure.status : null;
  return new LlmUnavailableError(context.provider, status, describeFailure(failure, context), {
    cause,
  });
}

/** An error class of an SDK, for `instanceof`. */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The error classes of a Stainless-generated SDK (`@anthropic-ai/sdk` and `openai` both
 * export the same three), passed in so this module imports neither SDK.
 */
export interface SdkErrorClasses {
  APIConnectionTimeoutError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIError: ErrorClass;
}

/** Maps an SDK's error to an SDK-neutral failure, or null when it is none of the SDK's. */
export function classifySdkError(error: unknown, sdk: SdkErrorClasses): ProviderFailure | null {
  if (error instanceof sdk.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof sdk.APIConnectionError) return { kind: 'connection' };
  if (error instanceof sdk.APIError) {
    const { status, headers } = error as { status?: unknown; headers?: Headers };
    if (typeof status === 'number') {
      const retried = isRetriedStatus(status, headers?.get('x-should-retry') ?? null);
      return { kind: 'http', status, retried };
    }
  }
  return null;
}

/**
 * What a failed SDK call throws: the signal's reason when the call was aborted, an
 * {@link LlmUnavailableError} for the SDK's own failures, anything else as it was.
 */
export function sdkCallError(
  error: unknown,
  sdk: SdkErrorClasses,
  context: FailureContext,
  signal: AbortSignal | undefined,
): unknown {
  signal?.throwIfAborted();
  const failure = classifySdkError(error, sdk);
  return failure === null ? error : unavailableError(failure, context, error);
}

/** For a response the SDK accepted but that cannot be used (no choices, unexpected shape). */
export function malformedResponseError(provider: string, what: string): LlmUnavailableError {
  return new LlmUnavailableError(
    provider,
    null,
    `The model provider (${provider}) sent an answer GridBot cannot read: ${what}.`,
  );
}

/**
 * A provider's key check: one cheap call, its failure mapped like any call's (a refused
 * key says so; an unreachable endpoint says that).
 */
export async function checkedCall(
  call: () => Promise<unknown>,
  sdk: SdkErrorClasses,
  context: Omit<FailureContext, 'model'>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    throw sdkCallError(error, sdk, { ...context, model: 'models.list' }, undefined);
  }
}
