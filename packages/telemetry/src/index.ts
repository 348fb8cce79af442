export {
  currentContext,
  inContext,
  inSpan,
  inTrace,
  SpanKind,
  type SpanOptions,
  type TraceCarrier,
  traceCarrier,
  traceFields,
} from './spans.ts';
export { telemetryEnabled } from './telemetry-enabled.ts';
export { queueTelemetry, stopTelemetry } from './telemetry-state.ts';
