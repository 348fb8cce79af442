import { register } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BullMQOtel } from 'bullmq-otel';
import { setStartedTelemetry } from './telemetry-state.ts';

export interface StartTelemetryOptions {
  /** `service.name` of this process's spans unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
  version: string;
  /** The process's environment, which the SDK reads its `OTEL_*` settings from. */
  env: NodeJS.ProcessEnv;
}

/** The modules the instrumentations patch. */
const HOOKED_MODULES = ['pg', 'pg-pool', 'ioredis', 'http', 'https', 'node:http', 'node:https'];

/** Requests that are not a user's: probes and scrapes make no traces. */
const PROBE_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/**
 * Starts OpenTelemetry's Node SDK for this process: traces exported over OTLP as the
 * `OTEL_EXPORTER_OTLP_*` variables say (http/protobuf by default), BullMQ's own spans
 * (bullmq-otel) and the pg, ioredis, HTTP and fetch instrumentations. Call it before the
 * rest of the program is imported (and import this module only then): a module imported
 * earlier is not instrumented. Metrics stay on `/metrics` and logs on stdout unless
 * `OTEL_METRICS_EXPORTER` or `OTEL_LOGS_EXPORTER` ask for more.
 *
 * Database and Redis calls become spans only inside a span of GridBot's (a message's
 * trace), not for every background poll.
 */
export function startTelemetry(options: StartTelemetryOptions): void {
  const { env } = options;
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  env.OTEL_SERVICE_NAME ??= options.serviceName;
  try {
    // ES module imports of the instrumented modules go through this hook, so
    // `import pg from 'pg'` is patched too; every other module is left alone (a wrapped
    // module namespace costs on every call through it).
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: HOOKED_MODULES },
    });
  } catch {
    // The production bundle has no node_modules to hook: GridBot's and BullMQ's spans remain.
  }
  const sdk = new NodeSDK({
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new HttpInstrumentation({
        requireParentforOutgoingSpans: true,
        ignoreIncomingRequestHook: (request) => PROBE_PATHS.test(request.url ?? ''),
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  sdk.start();
  setStartedTelemetry({
    queues: new BullMQOtel({ tracerName: 'gridbot', version: options.version }),
    stop: () => sdk.shutdown(),
  });
}
