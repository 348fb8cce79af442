import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { inSpan, inTrace, traceCarrier, traceFields } from './spans.ts';

describe('without a started SDK (OpenTelemetry off)', () => {
  it('carries nothing, names no trace and still runs the work', async () => {
    expect(traceCarrier()).toBeUndefined();
    expect(await inSpan('gridbot.test', {}, async () => traceFields())).toEqual({});
    expect(
      inTrace({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, () => 7),
    ).toBe(7);
  });
});

describe('with a tracer provider', () => {
  const exporter = new InMemorySpanExporter();
  let provider: TracerProvider;
  /** The spans ended so far, once the processor handed them over. */
  const finished = async () => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };

  beforeAll(() => {
    const manager = new AsyncLocalStorageContextManager();
    manager.enable();
    context.setGlobalContextManager(manager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    trace.setGlobalTracerProvider(provider);
  });

  it('makes a span around the work, a child of the active one, and hands its context to job data', async () => {
    exporter.reset();
    const carried = await inSpan('outer', {}, () =>
      inSpan('inner', { attributes: { 'gridbot.thread_id': 4 } }, async () => traceCarrier()),
    );
    const [inner, outer] = await finished();
    expect([inner?.name, outer?.name]).toEqual(['inner', 'outer']);
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.attributes['gridbot.thread_id']).toBe(4);
    expect(carried?.traceparent).toBe(
      `00-${inner?.spanContext().traceId}-${inner?.spanContext().spanId}-01`,
    );
  });

  it('records a thrown error on the span and throws it on', async () => {
    exporter.reset();
    await expect(
      inSpan('failing', {}, async () => {
        throw new Error('the platform said no');
      }),
    ).rejects.toThrow('the platform said no');
    const [span] = await finished();
    expect(span?.status).toMatchObject({ code: 2, message: 'the platform said no' });
    expect(span?.events[0]?.name).toBe('exception');
  });

  it('continues the trace a job carried, and names it in log fields', async () => {
    exporter.reset();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const fields = await inTrace({ traceparent: `00-${traceId}-b7ad6b7169203331-01` }, () =>
      inSpan('gridbot.run', {}, async () => traceFields()),
    );
    const [run] = await finished();
    expect(run?.spanContext().traceId).toBe(traceId);
    expect(run?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(fields).toEqual({ trace_id: traceId, span_id: run?.spanContext().spanId });
  });

  it('keeps the active trace over a carried one, and ignores a malformed carrier', async () => {
    exporter.reset();
    await inSpan('consumer', {}, () =>
      inTrace({ traceparent: '00-11111111111111111111111111111111-2222222222222222-01' }, () =>
        inSpan('inside', {}, async () => {}),
      ),
    );
    const [inside, consumer] = await finished();
    expect(inside?.spanContext().traceId).toBe(consumer?.spanContext().traceId);
    exporter.reset();
    await inTrace({ traceparent: 'not a traceparent' }, () => inSpan('fresh', {}, async () => {}));
    expect((await finished())[0]?.parentSpanContext).toBeUndefined();
  });
});
