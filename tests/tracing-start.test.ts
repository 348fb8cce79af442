/**
 * One trace per message in `gridbot start`, the single process, in every mode of the
 * matrix (the embedded one included: threads are registered with the CLI before it starts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { type FakeOtlp, startFakeOtlp } from './support/fake-otlp.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { oneSpan, rootOf, wholeTraceFor } from './support/traces.ts';
import { waitFor } from './support/wait-for.ts';

const MODEL = 'claude-start-trace';
const chat: ChatSpec = {
  chatId: -972900,
  type: 'supergroup',
  title: 'One box',
  userId: 996,
  firstName: 'Ola',
};

let h: PipelineHarness;
let llm: FakeLlmServer;
let otlp: FakeOtlp;

beforeAll(async () => {
  h = await PipelineHarness.create();
  otlp = await startFakeOtlp();
  llm = await startFakeAnthropic(() => ({ text: 'Traced in one process.' }));
  const registered = await h.cli(['threads', 'register', `telegram:${chat.chatId}`]);
  expect(registered.code, registered.output).toBe(0);
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await otlp?.close();
});

describe('gridbot start with OpenTelemetry', () => {
  it('exports one trace per message, from ingress to the platform send, named gridbot-start', async () => {
    const all = await h.start(['start'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LLM_PROVIDER: 'anthropic',
      LLM_MODEL: MODEL,
      ANTHROPIC_API_KEY: 'sk-ant-start-trace-key',
      ANTHROPIC_BASE_URL: llm.baseURL,
    });
    await h.telegram.say(chat, '@Andy trace this in one box');
    await waitFor('the reply', () => h.telegram.botMessages(chat.chatId).length > 0, 30_000);
    const spans = await wholeTraceFor(otlp, `telegram:${chat.chatId}`, MODEL);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gridbot-start']));
    expect(rootOf(spans).name).toBe('gridbot.ingress');
    expect(
      oneSpan(spans, `chat ${MODEL}`).attributes['gen_ai.usage.output_tokens'],
    ).toBeGreaterThan(0);
    expect(otlp.refused).toEqual([]);
    const traceId = spans[0]!.traceId;
    expect(all.logs().some((line) => line.trace_id === traceId)).toBe(true);
    expect(await all.stop()).toBe(0);
  });
});
