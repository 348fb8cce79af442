import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GridBotError } from '@gridbot/core';
import pTimeout from 'p-timeout';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HealthServerOptions {
  port: number;
  /** The variable the port comes from, named when it is taken. Default `HEALTH_PORT`. */
  portVariable?: string;
  host?: string;
  registry: Registry;
  /** Named checks for `/readyz`; each rejects when its dependency is unreachable. */
  checks: Record<string, ReadinessCheck>;
  /** Extra routes by exact path (e.g. a webhook). */
  routes?: Record<string, RouteHandler>;
  /** Answers every other path (e.g. the dashboard's web app) instead of a JSON 404. */
  fallback?: RouteHandler;
  /** Who may read `/metrics` (401 otherwise); open to all when unset. */
  metricsAuth?: (req: IncomingMessage) => boolean;
  /** A readiness check failed: its error is told here, never in `/readyz`'s answer. */
  onCheckFailed?: (name: string, error: unknown) => void;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  await pTimeout(check(), { milliseconds: ms, message: `no answer within ${ms} ms` });
}

/** `/healthz` (alive), `/readyz` (dependencies reachable), `/metrics` (Prometheus), plus extra routes. */
export class HealthServer {
  readonly #options: HealthServerOptions;
  #server: Server | null = null;

  /** The port it listens on (once started), or null. */
  get port(): number | null {
    const address = this.#server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  constructor(options: HealthServerOptions) {
    this.#options = options;
  }

  async start(): Promise<number> {
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    const host = this.#options.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const variable = this.#options.portVariable ?? 'HEALTH_PORT';
        if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
          const why =
            error.code === 'EADDRINUSE'
              ? 'is in use (another gridbot role or program listens there)'
              : 'may not be used by this user';
          reject(
            new GridBotError(
              `${variable}: port ${this.#options.port} on ${host} ${why}. Set ${variable} to a free port.`,
              { cause: error },
            ),
          );
        } else reject(error);
      });
      server.listen(this.#options.port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = this.#options.routes?.[path];
    if (route) return route(req, res);
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const results: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        Object.entries(this.#options.checks).map(async ([name, check]) => {
          try {
            await withTimeout(check, 2_000);
            results[name] = 'ok';
          } catch (error) {
            ready = false;
            // Which dependency, not its error text (which may name hosts, users, versions).
            results[name] = name === 'started' ? 'starting' : 'unavailable';
            this.#options.onCheckFailed?.(name, error);
          }
        }),
      );
      return json(res, ready ? 200 : 503, {
        status: ready ? 'ready' : 'not ready',
        checks: results,
      });
    }
    if (path === '/metrics') {
      if (this.#options.metricsAuth && !this.#options.metricsAuth(req)) {
        res.setHeader('www-authenticate', 'Bearer');
        return json(res, 401, { error: 'metrics need a token (Authorization: Bearer …)' });
      }
      const body = await this.#options.registry.metrics();
      res.writeHead(200, { 'content-type': this.#options.registry.contentType });
      res.end(body);
      return;
    }
    if (this.#options.fallback) return this.#options.fallback(req, res);
    json(res, 404, { error: 'not found' });
  }

  /** Stops listening; safe to call twice. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
