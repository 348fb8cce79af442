import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { type FakeOtlp, type ReceivedSpan, startFakeOtlp } from './support/fake-otlp.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { oneSpan as one, rootOf, wholeTraceFor } from './support/traces.ts';
import { waitFor } from './support/wait-for.ts';

const MODEL = 'claude-trace-test';

let h: PipelineHarness;
let llm: FakeLlmServer;
let otlp: FakeOtlp;
let worker: GridbotProcess;
let nextChat = -972200;

beforeAll(async () => {
  h = await PipelineHarness.create();
  otlp = await startFakeOtlp();
  llm = await startFakeAnthropic(() => ({ text: 'Traced and answered.' }));
  const traced = {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // Export within a fraction of a second instead of every 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  await h.start(['gateway', '--channel', 'telegram'], traced);
  worker = await h.start(['worker'], {
    ...traced,
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: MODEL,
    ANTHROPIC_API_KEY: 'sk-ant-tracing-test-key',
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await otlp?.close();
});

async function newChat(): Promise<ChatSpec> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'Traces',
    userId: 995,
    firstName: 'Tom',
  };
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  return chat;
}

describe('one trace per message (OpenTelemetry)', () => {
  it('follows a message from ingress through the run, the model call and the commit to the platform send, across processes', async () => {
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy where does this go?');
    await waitFor('the reply', () => h.telegram.botMessages(chat.chatId).length > 0, 30_000);
    const spans = await wholeTraceFor(otlp, `telegram:${chat.chatId}`, MODEL);

    const ingress = one(spans, 'gridbot.ingress');
    const run = one(spans, 'gridbot.run');
    const model = one(spans, `chat ${MODEL}`);
    const commit = one(spans, 'gridbot.commit');
    const send = one(spans, 'gridbot.send');
    // Two processes: the gateway takes the message in and sends the reply, the worker runs it.
    expect([ingress.service, send.service]).toEqual(['gridbot-gateway', 'gridbot-gateway']);
    expect([run.service, model.service, commit.service]).toEqual([
      'gridbot-worker',
      'gridbot-worker',
      'gridbot-worker',
    ]);
    expect(ingress.pid).not.toEqual(run.pid);
    expect(model.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.response.model': MODEL,
    });
    expect(model.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(model.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    // One tree, begun where the gateway took the message in.
    expect(rootOf(spans).service).toBe('gridbot-gateway');
    // The model's HTTP call, the database's queries and Telegram's send are in it as well.
    expect(
      spans.some(
        (s) => s.service === 'gridbot-worker' && s.kind === 3 && s.name.startsWith('POST'),
      ),
    ).toBe(true);
    expect(
      spans.some(
        (s) =>
          s.attributes['db.system.name'] === 'postgresql' ||
          s.attributes['db.system'] === 'postgresql',
      ),
    ).toBe(true);
    expect(otlp.refused).toEqual([]);

    // Log lines written along the way name the trace.
    const traceId = ingress.traceId;
    await waitFor('a worker log line naming the trace', () =>
      worker.logs().some((line) => line.trace_id === traceId && line.msg === 'run committed'),
    );
  });

  it('gives each message a trace of its own', async () => {
    const first = await newChat();
    const second = await newChat();
    await h.telegram.say(first, '@Andy one');
    await h.telegram.say(second, '@Andy two');
    const [a, b] = await Promise.all([
      wholeTraceFor(otlp, `telegram:${first.chatId}`, MODEL),
      wholeTraceFor(otlp, `telegram:${second.chatId}`, MODEL),
    ]);
    expect(a[0]!.traceId).not.toBe(b[0]!.traceId);
    const sendOf = (spans: ReceivedSpan[]) =>
      one(spans, 'gridbot.send').attributes['gridbot.outbox_id'];
    expect(sendOf(a)).not.toEqual(sendOf(b));
  });
});
