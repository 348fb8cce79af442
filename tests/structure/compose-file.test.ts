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
  command?: string[];
  profiles?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  container_name?: string;
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

const ROLES = [
  'gateway-telegram',
  'gateway-discord',
  'gateway-slack',
  'worker',
  'scheduler',
  'dashboard',
];
const raw = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');

describe('docker-compose.yml: coming up in order', () => {
  it('checks the health of Postgres, Redis and every role (its /readyz)', () => {
    expect(services.postgres?.healthcheck?.test).toContain('pg_isready');
    expect(services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const role of [...ROLES, 'all-in-one']) {
      expect(services[role]?.healthcheck?.test?.join(' '), role).toContain('/readyz');
    }
  });

  it('migrates once Postgres is healthy, retrying, and starts the roles after it completed', () => {
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.migrate?.restart).toBe('on-failure');
    for (const role of ROLES) {
      expect(services[role]?.depends_on, role).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('needs no token to come up: each channel is a profile, and nothing is mandatory', () => {
    expect(raw).not.toMatch(/\$\{[A-Z_]+:\?/);
    expect(services['gateway-telegram']?.profiles).toEqual(['telegram']);
    expect(services['gateway-discord']?.profiles).toEqual(['discord']);
    expect(services['gateway-slack']?.profiles).toEqual(['slack']);
    expect(services['all-in-one']?.profiles).toEqual(['all-in-one']);
    expect(services['all-in-one']?.command).toEqual(['start']);
  });

  it('lets the workers and gateways scale: no fixed name, no published port', () => {
    for (const role of ['worker', 'gateway-telegram', 'gateway-discord', 'gateway-slack']) {
      expect(services[role]?.container_name, role).toBeUndefined();
      expect(services[role]?.ports, role).toBeUndefined();
    }
  });
});

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
