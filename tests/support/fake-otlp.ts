import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP receiver gets it, with its process's resource flattened in. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP's SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  /** `service.name` of the process that made it. */
  service: string;
  pid: unknown;
}

export interface FakeOtlp {
  /** What `OTEL_EXPORTER_OTLP_ENDPOINT` is set to (`/v1/traces` is added by the exporter). */
  url: string;
  spans: ReceivedSpan[];
  /** Export requests refused (a body that is not OTLP JSON). */
  refused: string[];
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

function anyValue(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  return null;
}

const attributesOf = (list: KeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
      }>;
    }>;
  }>;
}

/**
 * An OpenTelemetry collector's OTLP/HTTP trace endpoint, as the OTLP specification
 * describes it: `POST /v1/traces` with an `ExportTraceServiceRequest` in the JSON encoding
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`; ids are hex strings), answered with an empty
 * `ExportTraceServiceResponse`. Protobuf bodies are answered 415, so a process exporting
 * in the wrong encoding shows up as refused requests instead of missing spans.
 */
export async function startFakeOtlp(): Promise<FakeOtlp> {
  const spans: ReceivedSpan[] = [];
  const refused: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const type = request.headers['content-type'] ?? '';
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      if (!type.startsWith('application/json')) {
        refused.push(type);
        response.writeHead(415, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 3, message: `unsupported content type ${type}` }));
        return;
      }
      let body: ExportRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
      } catch {
        refused.push('malformed JSON');
        response.writeHead(400).end();
        return;
      }
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || null,
              name: span.name,
              kind: span.kind ?? 0,
              attributes: attributesOf(span.attributes),
              service: String(resource['service.name'] ?? ''),
              pid: resource['process.pid'],
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
