import { describe, expect, it } from 'vitest';
import { telemetryEnabled } from './telemetry-enabled.ts';

describe('telemetryEnabled', () => {
  it('is on with an OTLP endpoint for every signal or for traces, and off otherwise', () => {
    expect(telemetryEnabled({})).toBe(false);
    expect(telemetryEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(telemetryEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(
      telemetryEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toBe(true);
  });

  it('stays off when the SDK is disabled, as OpenTelemetry specifies', () => {
    expect(
      telemetryEnabled({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SDK_DISABLED: 'TRUE',
      }),
    ).toBe(false);
  });
});
