/**
 * The compose file's Docker access, read as an operator deploying it would (no engine
 * here can pull its images, so it is parsed, not run): only the socket proxy holds the
 * Docker socket, the worker reaches the engine through it, and the proxy lets through the
 * container endpoints the runtime uses and nothing for exec, builds, volumes or the swarm.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  user?: string;
  ports?: unknown[];
  volumes?: string[];
  networks?: string[];
  environment?: Record<string, string | number>;
  read_only?: boolean;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service>; networks?: Record<string, { internal?: boolean }> };
const { services } = compose;
const proxy = services['docker-proxy']!;
const worker = services.worker!;
const mountsSocket = (service: Service) =>
  (service.volumes ?? []).some((volume) => volume.includes('docker.sock'));

describe('docker-compose.yml: the worker’s Docker access', () => {
  it('gives the Docker socket to the proxy alone, read-only, on a read-only filesystem', () => {
    expect(proxy.image).toMatch(/docker-socket-proxy/);
    const holders = Object.entries(services).filter(([, service]) => mountsSocket(service));
    expect(holders.map(([name]) => name)).toEqual(['docker-proxy']);
    expect(proxy.volumes).toEqual(['/var/run/docker.sock:/var/run/docker.sock:ro']);
    expect(proxy.read_only).toBe(true);
    expect(proxy.ports).toBeUndefined();
  });

  it('points the worker at the proxy, on a network only the two of them share', () => {
    expect(mountsSocket(worker)).toBe(false);
    expect(worker.environment?.DOCKER_HOST).toBe('tcp://docker-proxy:2375');
    expect(compose.networks?.['docker-api']).toEqual({ internal: true });
    const onApi = Object.entries(services)
      .filter(([, service]) => service.networks?.includes('docker-api'))
      .map(([name]) => name)
      .sort();
    expect(onApi).toEqual(['docker-proxy', 'worker']);
  });

  it('lets through only the container, image, ping and version sections', () => {
    const env = proxy.environment ?? {};
    const on = Object.keys(env)
      .filter((key) => String(env[key]) === '1')
      .sort();
    expect(on).toEqual([
      'ALLOW_ATTACH',
      'ALLOW_START',
      'ALLOW_STOP',
      'CONTAINERS',
      'DELETE',
      'IMAGES',
      'PING',
      'POST',
      'VERSION',
    ]);
    // Spelled out as off, so an image whose defaults differ does not open them.
    for (const off of ['EXEC', 'ALLOW_EXEC', 'BUILD', 'COMMIT', 'VOLUMES', 'NETWORKS', 'SWARM']) {
      expect(String(env[off]), off).toBe('0');
    }
    for (const off of ['SERVICES', 'SECRETS', 'PLUGINS', 'SYSTEM', 'ALLOW_ARCHIVE', 'EVENTS']) {
      expect(String(env[off]), off).toBe('0');
    }
  });
});
