/**
 * How every SDK-backed `LlmProvider` fails, run against each provider's fake API: retries,
 * giving up, rate limits, rejected keys, timeouts, cancellation, nothing listening. Not
 * exported from the package (it imports vitest): test files import it by path and call
 * {@link describeLlmProviderFailures}.
 */
import type { LlmCompleteParams } from '@gridbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  FakeLlmServer,
  FakeRawReply,
  FakeScript,
} from '../../../tests/support/fake-llm-server.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { type LlmCallOptions, type LlmProvider, LlmUnavailableError } from './llm-provider.ts';

/** Connection settings every SDK-backed provider takes. */
export interface ContractProviderOptions {
  baseURL: string;
  maxRetries?: number;
  timeoutMs?: number;
}

export interface LlmProviderContractSetup {
  /** The provider's `name`, as messages name it. */
  name: string;
  /** The API key the provider is built with; it must never show in a message. */
  key: string;
  /** Starts the provider's fake API with a script. */
  startFake(script: FakeScript): Promise<FakeLlmServer>;
  /** An error reply in the API's shape (it makes the SDK retry at once). */
  errorReply(status: number, message?: string): FakeRawReply;
  /** The provider under test, built with `key`. */
  create(options: ContractProviderOptions): LlmProvider;
  call: LlmCallOptions;
  params: LlmCompleteParams;
}

/** Registers the failure contract for one provider. */
export function describeLlmProviderFailures(setup: LlmProviderContractSetup): void {
  const { name, key, call, params } = setup;
  const who = `The model provider (${name})`;

  describe(`${name} fails the way every provider does`, () => {
    let fake: FakeLlmServer | null = null;
    afterEach(async () => {
      await fake?.close();
      fake = null;
    });

    async function providerFor(
      script: FakeScript,
      options: Partial<ContractProviderOptions> = {},
    ): Promise<{ provider: LlmProvider; server: FakeLlmServer }> {
      const server = await setup.startFake(script);
      fake = server;
      return { provider: setup.create({ baseURL: server.baseURL, ...options }), server };
    }

    async function failure(promise: Promise<unknown>): Promise<LlmUnavailableError> {
      const error = await promise.then(
        () => {
          throw new Error('expected the call to fail');
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LlmUnavailableError);
      return error as LlmUnavailableError;
    }

    it('retries a 500 and succeeds on the third attempt', async () => {
      const { provider, server } = await providerFor([
        setup.errorReply(500),
        setup.errorReply(503),
        { text: 'back' },
      ]);
      expect((await provider.complete(params, call)).content).toBe('back');
      expect(server.requests).toHaveLength(3);
    });

    it('gives up after its retries with a message naming the status, never the key', async () => {
      const { provider, server } = await providerFor([setup.errorReply(500, `boom ${key}`)]);
      const error = await failure(provider.complete(params, call));
      expect(error.message).toBe(`${who} is not answering: HTTP 500 after 3 attempts.`);
      expect(error).toMatchObject({ provider: name, status: 500 });
      expect(error.message).not.toContain(key);
      expect(server.requests).toHaveLength(3);
    });

    it('says it is rate limited after retrying 429s', async () => {
      const { provider, server } = await providerFor([setup.errorReply(429)], { maxRetries: 1 });
      const error = await failure(provider.complete(params, call));
      expect(error.message).toContain('rate limiting us: HTTP 429 after 2 attempts');
      expect(server.requests).toHaveLength(2);
    });

    it('does not retry a rejected key, and does not repeat it', async () => {
      const { provider, server } = await providerFor([
        setup.errorReply(401, `Incorrect API key provided: ${key}`),
      ]);
      const error = await failure(provider.complete(params, call));
      expect(error.message).toContain('rejected the API key (HTTP 401)');
      expect(error.message).not.toContain(key);
      expect(error.status).toBe(401);
      expect(server.requests).toHaveLength(1);
    });

    it('times out a slow server', async () => {
      const { provider, server } = await providerFor([{ text: 'late', delayMs: 5_000 }], {
        timeoutMs: 100,
        maxRetries: 1,
      });
      const error = await failure(provider.complete(params, call));
      expect(error.message).toBe(`${who} is not answering: timed out after 0.1 s (2 attempts).`);
      expect(error.status).toBeNull();
      expect(server.requests).toHaveLength(2);
    });

    it('cancels the HTTP call when the signal aborts', async () => {
      const { provider, server } = await providerFor([{ text: 'late', delayMs: 10_000 }]);
      const controller = new AbortController();
      const started = Date.now();
      const pending = provider.complete(params, { ...call, signal: controller.signal });
      await waitFor('the request', () => server.requests.length === 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(server.requests).toHaveLength(1);
    });

    it('streams: text snapshots as tokens arrive, and the same result as unstreamed', async () => {
      const answer = {
        text: 'one two three four five',
        toolCalls: [{ name: 'list_files', arguments: { path: '/workspace' } }],
        usage: { input: 21, output: 8 },
        tokenIntervalMs: 20,
      };
      const { provider, server } = await providerFor([answer]);
      const whole = await provider.complete(params, call);
      const snapshots: string[] = [];
      const streamed = await provider.complete(params, {
        ...call,
        onText: (text) => snapshots.push(text),
      });
      expect(server.requests[1]?.body.stream).toBe(true);
      expect(snapshots).toEqual([
        'one ',
        'one two ',
        'one two three ',
        'one two three four ',
        'one two three four five',
      ]);
      const comparable = (r: typeof whole) => ({
        ...r,
        toolCalls: r.toolCalls.map(({ id: _, ...c }) => c),
      });
      expect(comparable(streamed)).toEqual(comparable(whole));
      expect(streamed.usage).toEqual({ inputTokens: 21, outputTokens: 8 });
    });

    it('fails a streamed call the same way, and retries it', async () => {
      const { provider, server } = await providerFor([
        setup.errorReply(500),
        { text: 'streamed back' },
      ]);
      const snapshots: string[] = [];
      const result = await provider.complete(params, { ...call, onText: (t) => snapshots.push(t) });
      expect(result.content).toBe('streamed back');
      expect(snapshots.at(-1)).toBe('streamed back');
      expect(server.requests).toHaveLength(2);
      await server.close();
      const refused = await providerFor([setup.errorReply(401, `bad key ${key}`)]);
      const error = await failure(refused.provider.complete(params, { ...call, onText: () => {} }));
      expect(error.status).toBe(401);
      expect(error.message).not.toContain(key);
    });

    it('says it cannot connect when nothing listens', async () => {
      const server = await setup.startFake([{ text: 'never' }]);
      await server.close();
      const provider = setup.create({ baseURL: server.baseURL, maxRetries: 0 });
      const error = await failure(provider.complete(params, call));
      expect(error.message).toBe(`${who} is not answering: could not connect (1 attempt).`);
    });
  });
}
