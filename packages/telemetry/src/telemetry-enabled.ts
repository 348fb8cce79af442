/**
 * Whether the environment asks for traces: an OTLP endpoint is set (for all signals or
 * for traces) and the SDK is not disabled (`OTEL_SDK_DISABLED=true`).
 */
export function telemetryEnabled(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim(),
  );
}
