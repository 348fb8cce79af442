import { expect } from 'vitest';
import type { FakeOtlp, ReceivedSpan } from './fake-otlp.ts';
import { waitFor } from './wait-for.ts';

/** OTLP's SpanKind for a client call. */
const CLIENT = 3;

/** The spans of the trace that began with a message of the chat being taken in. */
export function traceFor(otlp: FakeOtlp, jid: string): ReceivedSpan[] {
  const ingress = otlp.spans.find(
    (s) =>
      s.name === 'gridbot.ingress' &&
      s.attributes['gridbot.jid'] === jid &&
      s.attributes['gridbot.outcome'] === 'triggered',
  );
  return ingress ? otlp.spans.filter((s) => s.traceId === ingress.traceId) : [];
}

/** Whether `span` lies under `ancestor` in its trace. */
export function isUnder(
  spans: ReceivedSpan[],
  span: ReceivedSpan,
  ancestor: ReceivedSpan,
): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let at = span.parentSpanId; at; at = byId.get(at)?.parentSpanId ?? null) {
    if (at === ancestor.spanId) return true;
  }
  return false;
}

/**
 * Waits until the chat's message's trace shows its whole way: taken in, run, the model
 * asked, committed, and sent with the platform's own HTTP call under the send.
 */
export function wholeTraceFor(otlp: FakeOtlp, jid: string, model: string): Promise<ReceivedSpan[]> {
  const way = [
    'gridbot.ingress',
    'gridbot.run',
    'agent llm.complete',
    `chat ${model}`,
    'gridbot.commit',
    'gridbot.send',
  ];
  return waitFor(
    'every span of the message’s trace',
    () => {
      const spans = traceFor(otlp, jid);
      const names = new Set(spans.map((s) => s.name));
      const send = spans.find((s) => s.name === 'gridbot.send');
      const sendCall =
        send &&
        spans.some((s) => s.kind === CLIENT && s.name === 'POST' && isUnder(spans, s, send));
      return way.every((name) => names.has(name)) && sendCall ? spans : undefined;
    },
    20_000,
  );
}

/** The one span of that name in the trace. */
export function oneSpan(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

/** The trace is one tree: every span's parent is in it, and one span (returned) has none. */
export function rootOf(spans: ReceivedSpan[]): ReceivedSpan {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  expect(roots).toHaveLength(1);
  return roots[0]!;
}
