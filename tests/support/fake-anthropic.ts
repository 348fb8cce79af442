/**
 * A fake Anthropic Messages API (`POST /v1/messages`) for running the real `@anthropic-ai/sdk`
 * against. Its `baseURL` has no `/v1`, as the SDK expects.
 */
import {
  type FakeAnswer,
  type FakeDialect,
  type FakeLlmServer,
  type FakeRawReply,
  type FakeScript,
  startFakeLlmServer,
} from './fake-llm-server.ts';

export type {
  FakeAnswer,
  FakeLlmServer,
  FakeRawReply,
  FakeReply,
  FakeScript,
  FakeToolCall,
  RecordedRequest,
} from './fake-llm-server.ts';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/**
 * An error reply in the API's shape. It carries `retry-after-ms: 10` (which the SDK honours)
 * so that retry tests do not wait for the SDK's default backoff of about 0.5 s, 1 s, 2 s …
 */
export function anthropicErrorReply(
  status: number,
  message = `fake error ${status}`,
  headers: Record<string, string> = {},
): FakeRawReply {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return {
    status,
    json: { type: 'error', error: { type, message }, request_id: 'req_fake' },
    headers: { 'retry-after-ms': '10', 'request-id': 'req_fake', ...headers },
  };
}

function render(answer: FakeAnswer, body: Record<string, unknown>, index: number): unknown {
  const calls = answer.toolCalls ?? [];
  const content: unknown[] = [];
  if (answer.text !== '' || calls.length === 0) content.push({ type: 'text', text: answer.text });
  calls.forEach((call, n) => {
    content.push({
      type: 'tool_use',
      id: call.id ?? `toolu_fake_${index}_${n}`,
      name: call.name,
      input: typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments,
      caller: { type: 'direct' },
    });
  });
  return {
    id: `msg_fake_${index}`,
    type: 'message',
    role: 'assistant',
    model: typeof body.model === 'string' ? body.model : 'claude-fake',
    content,
    stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: {
      input_tokens: answer.usage?.input ?? 10,
      output_tokens: answer.usage?.output ?? 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

const dialect: FakeDialect = {
  path: '/v1/messages',
  baseURLSuffix: '',
  render,
  notFound: (path) => anthropicErrorReply(404, `No route ${path}`).json,
};

/** Starts the fake on a free port; `close()` it after the test. */
export function startFakeAnthropic(script: FakeScript): Promise<FakeLlmServer> {
  return startFakeLlmServer(dialect, script);
}
