import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the relay passed on: its path and where it went. */
export interface RelayedRequest {
  method: string;
  path: string;
  target: string;
  at: number;
}

/** An HTTP relay in front of one server or several (round robin), recording every request. */
export interface HttpRelay {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: RelayedRequest[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts a relay on a free port of 127.0.0.1 that passes each request to the next of
 * `targets` in turn (a load balancer), or answers 502 when the target is down.
 */
export async function startHttpRelay(targets: string[]): Promise<HttpRelay> {
  const requests: RelayedRequest[] = [];
  let next = 0;
  const server = createServer(async (req, res) => {
    const target = targets[next++ % targets.length]!;
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, target, at: Date.now() });
    try {
      const body = await bodyOf(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name, value]) =>
            typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name),
        ),
      ) as Record<string, string>;
      const answer = await fetch(`${target}${path}`, {
        method: req.method,
        headers,
        ...(body.length > 0 && { body }),
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
      });
      res.end(bytes);
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
