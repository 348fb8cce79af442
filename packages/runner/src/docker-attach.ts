import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';

/** Where the Docker engine listens, as dockerode's modem was configured. */
export interface EngineAddress {
  socketPath?: string;
  host?: string;
  port?: number | string;
}

/**
 * Attaches to a container's stdio over a hijacked connection, with the options in the query
 * string and an empty body: dockerode's own attach sends its options as a JSON body, which
 * some engines feed into the container's stdin ahead of the agent's first line.
 */
export function attachHijacked(
  engine: EngineAddress,
  containerId: string,
  timeoutMs = 10_000,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = request({
      ...(engine.socketPath
        ? { socketPath: engine.socketPath }
        : { host: engine.host, port: engine.port }),
      path: `/containers/${encodeURIComponent(containerId)}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Length': '0' },
      timeout: timeoutMs,
    });
    req.once('upgrade', (_res, socket, head) => {
      req.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => {
      res.resume();
      reject(new Error(`attach refused with HTTP ${res.statusCode}`));
    });
    req.once('timeout', () =>
      req.destroy(new Error(`attach did not answer within ${timeoutMs} ms`)),
    );
    req.once('error', reject);
    req.end();
  });
}

/**
 * Attaches to a container's stdio on the engine `docker` talks to. Call it before starting
 * the container, so no output is missed.
 */
export async function attachContainer(docker: Docker, containerId: string): Promise<Duplex> {
  const modem = docker.modem as EngineAddress & {
    socketPath?: string | (() => unknown);
    getSocketPath?: () => Promise<string>;
  };
  const socketPath =
    typeof modem.socketPath === 'function' ? await modem.getSocketPath?.() : modem.socketPath;
  return attachHijacked({ socketPath, host: modem.host, port: modem.port }, containerId);
}
