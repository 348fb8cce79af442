import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { connect } from 'node:net';

/** An engine endpoint a client may call: a method and the path without `/v1.xx` and query. */
export interface EndpointRule {
  method: string;
  path: RegExp;
}

const ID = '[a-zA-Z0-9_.-]+';

/**
 * The endpoints the worker's docker runtime calls (the compose file's socket proxy allows
 * these sections, and nothing for exec, builds, volumes, networks or swarm).
 */
export const RUNTIME_ENDPOINTS: readonly EndpointRule[] = [
  { method: 'GET', path: /^\/_ping$/ },
  { method: 'HEAD', path: /^\/_ping$/ },
  { method: 'GET', path: /^\/version$/ },
  { method: 'GET', path: /^\/containers\/json$/ },
  { method: 'POST', path: /^\/containers\/create$/ },
  { method: 'GET', path: new RegExp(`^/containers/${ID}/json$`) },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/(attach|start|stop|wait|kill)$`) },
  { method: 'DELETE', path: new RegExp(`^/containers/${ID}$`) },
  { method: 'GET', path: /^\/images\/[a-zA-Z0-9_.:@/-]+\/json$/ },
];

const TEST_SOCKET = '/var/run/docker.sock';

/** `GET /containers/<id>/json` with the id replaced, so calls can be counted by endpoint. */
function endpointOf(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?')[0]!.replace(/^\/v[\d.]+/, '');
  return `${req.method} ${path.replace(/^\/containers\/[0-9a-f]{64}/, '/containers/<id>')}`;
}

/**
 * A stand-in for a Docker socket proxy in tests (the real images cannot be pulled here):
 * forwards over TCP to the engine's socket only the endpoints its rules allow, answers 403
 * to the rest, and, like HAProxy's `timeout server`, answers 504 to a request the engine
 * leaves silent for `idleMs` (the long-poll of `wait`). Hijacked attach streams pass as
 * tunnels. Records every call by endpoint.
 */
export class DockerSocketProxy {
  /** Every call, as `METHOD /path` with container ids as `<id>`. */
  readonly calls: string[] = [];
  readonly denied: string[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(
    rules: readonly EndpointRule[],
    options: { idleMs?: number; socketPath?: string } = {},
  ): Promise<DockerSocketProxy> {
    const socketPath = options.socketPath ?? TEST_SOCKET;
    const server = createServer();
    const proxy = new DockerSocketProxy(server);
    const allows = (req: IncomingMessage): boolean => {
      const endpoint = endpointOf(req);
      proxy.calls.push(endpoint);
      const path = (req.url ?? '/').split('?')[0]!.replace(/^\/v[\d.]+/, '');
      const ok = rules.some((rule) => rule.method === req.method && rule.path.test(path));
      if (!ok) proxy.denied.push(endpoint);
      return ok;
    };
    server.on('request', (req, res) => {
      if (!allows(req)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden by the socket proxy');
        return;
      }
      const upstream = request(
        { socketPath, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      if (options.idleMs) {
        upstream.setTimeout(options.idleMs, () => {
          upstream.destroy();
          if (res.headersSent) res.destroy();
          else res.writeHead(504, { 'content-type': 'text/plain' }).end('idle timeout');
        });
      }
      upstream.on('error', () => {
        if (res.headersSent) res.destroy();
        else if (!res.writableEnded) res.writeHead(502).end();
      });
      req.pipe(upstream);
    });
    server.on('upgrade', (req, socket, head) => {
      if (!allows(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(socketPath, () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        }
        upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        socket.pipe(upstream);
        upstream.pipe(socket);
      });
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      upstream.on('error', close);
      socket.on('error', close);
      upstream.on('close', close);
      socket.on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** For DOCKER_HOST. */
  get url(): string {
    const { port } = this.#server.address() as { port: number };
    return `tcp://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
