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
  tokensOf,
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

/** The Messages API's server-sent events for an answer (message_start … message_stop). */
function stream(answer: FakeAnswer, body: Record<string, unknown>, index: number) {
  const message = render(answer, body, index) as {
    content: Record<string, unknown>[];
    stop_reason: string;
    usage: Record<string, number>;
  };
  const events: { event: string; data: unknown; token?: boolean }[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { ...message.usage, output_tokens: 1 },
        },
      },
    },
  ];
  message.content.forEach((block, n) => {
    if (block.type === 'text') {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index: n, content_block: { type: 'text', text: '' } },
      });
      for (const token of tokensOf(String(block.text))) {
        events.push({
          event: 'content_block_delta',
          data: {
            type: 'content_block_delta',
            index: n,
            delta: { type: 'text_delta', text: token },
          },
          token: true,
        });
      }
    } else {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index: n, content_block: { ...block, input: {} } },
      });
      events.push({
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: n,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
        },
      });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: n } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: message.usage.output_tokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

const dialect: FakeDialect = {
  path: '/v1/messages',
  baseURLSuffix: '',
  render,
  stream,
  notFound: (path) => anthropicErrorReply(404, `No route ${path}`).json,
  models: {
    data: [
      {
        type: 'model',
        id: 'claude-fake',
        display_name: 'Claude (fake)',
        created_at: '2026-01-01T00:00:00Z',
      },
    ],
    has_more: false,
    first_id: 'claude-fake',
    last_id: 'claude-fake',
  },
};

/** Starts the fake on a free port; `close()` it after the test. */
export function startFakeAnthropic(script: FakeScript): Promise<FakeLlmServer> {
  return startFakeLlmServer(dialect, script);
}
