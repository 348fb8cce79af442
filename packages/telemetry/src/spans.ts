import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export { SpanKind } from '@opentelemetry/api';

/** Trace context as it travels in job data: W3C `traceparent` (and `tracestate`). */
export type TraceCarrier = Record<string, string>;

const tracer = () => trace.getTracer('gridbot');

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

/**
 * Runs `fn` inside a new span, child of the active one; the span records a thrown error
 * and ends when `fn` settles. Without a started SDK the API's tracer is a no-op: the cost
 * is a function call.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes && { attributes: options.attributes }),
    },
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The active trace context for job data, or undefined when there is none to carry. */
export function traceCarrier(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/**
 * Runs `fn` in the trace a job's data carried, unless a span is already active (BullMQ's
 * own consumer span, which continues the same trace). A malformed carrier starts no trace.
 */
export function inTrace<T>(carrier: TraceCarrier | undefined, fn: () => T): T {
  if (!carrier || trace.getActiveSpan()) return fn();
  return context.with(propagation.extract(context.active(), carrier), fn);
}

/** The active context, to run later callbacks in (a stream's events keep the context it was made in). */
export function currentContext(): Context {
  return context.active();
}

/** Runs `fn` in a context taken earlier with {@link currentContext}. */
export function inContext<T>(saved: Context, fn: () => T): T {
  return context.with(saved, fn);
}

/** `trace_id` and `span_id` of the active span, for log lines; empty when there is none. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
