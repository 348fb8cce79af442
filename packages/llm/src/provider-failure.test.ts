import { describe, expect, it } from 'vitest';
import { LlmUnavailableError } from './llm-provider.ts';
import { describeFailure, isRetriedStatus, unavailableError } from './provider-failure.ts';

const context = { provider: 'anthropic', model: 'claude-x', maxRetries: 2, timeoutMs: 120_000 };

describe('describeFailure', () => {
  it.each([
    [
      { kind: 'http', status: 500, retried: true },
      'The model provider (anthropic) is not answering: HTTP 500 after 3 attempts.',
    ],
    [
      { kind: 'http', status: 429, retried: true },
      'The model provider (anthropic) is rate limiting us: HTTP 429 after 3 attempts.',
    ],
    [
      { kind: 'http', status: 401, retried: false },
      'The model provider (anthropic) rejected the API key (HTTP 401). Check the key the worker is configured with.',
    ],
    [
      { kind: 'http', status: 404, retried: false },
      'The model provider (anthropic) does not know the model "claude-x" or the endpoint (HTTP 404).',
    ],
    [
      { kind: 'http', status: 400, retried: false },
      'The model provider (anthropic) refused the request: HTTP 400 after 1 attempt.',
    ],
    [
      { kind: 'timeout' },
      'The model provider (anthropic) is not answering: timed out after 120 s (3 attempts).',
    ],
    [
      { kind: 'connection' },
      'The model provider (anthropic) is not answering: could not connect (3 attempts).',
    ],
  ] as const)('%o', (failure, message) => {
    expect(describeFailure(failure, context)).toBe(message);
  });
});

describe('isRetriedStatus', () => {
  it('follows x-should-retry, else retries 408, 409, 429 and 5xx', () => {
    expect([400, 401, 408, 409, 429, 500, 529].map((s) => isRetriedStatus(s, null))).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(isRetriedStatus(500, 'false')).toBe(false);
    expect(isRetriedStatus(400, 'true')).toBe(true);
  });
});

describe('unavailableError', () => {
  it('carries provider, status and cause', () => {
    const cause = new Error('sdk');
    const error = unavailableError({ kind: 'http', status: 503, retried: true }, context, cause);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(error).toMatchObject({ provider: 'anthropic', status: 503, cause });
  });
});
