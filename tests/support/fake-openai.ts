/**
 * A fake OpenAI Chat Completions API (`POST /v1/chat/completions`) for running the real
 * `openai` SDK against. Its `baseURL` ends in `/v1`, as the SDK expects.
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

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
};

/**
 * An error reply in the API's shape. It carries `retry-after-ms: 10` (which the SDK honours)
 * so that retry tests do not wait for the SDK's default backoff of about 0.5 s, 1 s, 2 s …
 */
export function openAiErrorReply(
  status: number,
  message = `fake error ${status}`,
  headers: Record<string, string> = {},
): FakeRawReply {
  const { type, code } = ERROR_TYPES[status] ?? { type: 'server_error', code: null };
  return {
    status,
    json: { error: { message, type, param: null, code } },
    headers: { 'retry-after-ms': '10', ...headers },
  };
}

function render(answer: FakeAnswer, body: Record<string, unknown>, index: number): unknown {
  const calls = answer.toolCalls ?? [];
  const input = answer.usage?.input ?? 10;
  const output = answer.usage?.output ?? 5;
  return {
    id: `chatcmpl-fake-${index}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : 'gpt-fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.text === '' && calls.length > 0 ? null : answer.text,
          refusal: null,
          ...(calls.length > 0 && {
            tool_calls: calls.map((call, n) => ({
              id: call.id ?? `call_fake_${index}_${n}`,
              type: 'function',
              function: {
                name: call.name,
                arguments:
                  typeof call.arguments === 'string'
                    ? call.arguments
                    : JSON.stringify(call.arguments),
              },
            })),
          }),
        },
        logprobs: null,
        finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
  };
}

/** Chat Completions chunks for an answer, ending with the usage chunk and `[DONE]`. */
function stream(answer: FakeAnswer, body: Record<string, unknown>, index: number) {
  const completion = render(answer, body, index) as {
    id: string;
    created: number;
    model: string;
    choices: {
      message: { content: string | null; tool_calls?: Record<string, unknown>[] };
      finish_reason: string;
    }[];
    usage: unknown;
  };
  const [choice] = completion.choices;
  const chunk = (delta: unknown, finish: string | null = null) => ({
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const events: { data: unknown; token?: boolean }[] = [
    { data: chunk({ role: 'assistant', content: '' }) },
  ];
  for (const token of tokensOf(choice!.message.content ?? ''))
    events.push({ data: chunk({ content: token }), token: true });
  if (choice!.message.tool_calls) {
    events.push({
      data: chunk({
        tool_calls: choice!.message.tool_calls.map((call, n) => ({ index: n, ...call })),
      }),
    });
  }
  events.push({ data: chunk({}, choice!.finish_reason) });
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage)
    events.push({ data: { ...chunk({}), choices: [], usage: completion.usage } });
  events.push({ data: '[DONE]' });
  return events;
}

const dialect: FakeDialect = {
  path: '/v1/chat/completions',
  baseURLSuffix: '/v1',
  stream,
  render,
  notFound: (path) => openAiErrorReply(404, `Unknown request URL: POST ${path}`).json,
  models: {
    object: 'list',
    data: [{ id: 'gpt-fake', object: 'model', created: 1_767_225_600, owned_by: 'fake' }],
  },
};

/** Starts the fake on a free port; `close()` it after the test. */
export function startFakeOpenAi(script: FakeScript): Promise<FakeLlmServer> {
  return startFakeLlmServer(dialect, script);
}
