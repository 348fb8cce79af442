import { describe, expect, it } from 'vitest';
import { parseWorkerEnv } from './env.ts';

const BASE = { DATABASE_URL: 'postgres://localhost/gridbot' };

describe('the worker environment', () => {
  it('caps workspaces at 1 GB unless told otherwise, and 0 lifts the cap', () => {
    expect(parseWorkerEnv(BASE).AGENT_WORKSPACE_MAX_MB).toBe(1024);
    expect(parseWorkerEnv({ ...BASE, AGENT_WORKSPACE_MAX_MB: '0' }).AGENT_WORKSPACE_MAX_MB).toBe(0);
    expect(() => parseWorkerEnv({ ...BASE, AGENT_WORKSPACE_MAX_MB: '-1' })).toThrow(
      /AGENT_WORKSPACE_MAX_MB/,
    );
  });

  it('takes an OCI runtime by name, and nothing that could smuggle in other options', () => {
    expect(parseWorkerEnv(BASE).AGENT_OCI_RUNTIME).toBeUndefined();
    expect(parseWorkerEnv({ ...BASE, AGENT_OCI_RUNTIME: 'runsc' }).AGENT_OCI_RUNTIME).toBe('runsc');
    for (const bad of ['runsc --privileged', '../runc', '-x']) {
      expect(() => parseWorkerEnv({ ...BASE, AGENT_OCI_RUNTIME: bad })).toThrow(
        /AGENT_OCI_RUNTIME: expected the name of a runtime registered with the engine, e\.g\. runsc/,
      );
    }
  });

  it('reaches the engine through a unix socket or a tcp proxy, named in DOCKER_HOST', () => {
    for (const host of ['unix:///var/run/docker.sock', 'tcp://docker-proxy:2375']) {
      expect(parseWorkerEnv({ ...BASE, DOCKER_HOST: host }).DOCKER_HOST).toBe(host);
    }
    expect(() => parseWorkerEnv({ ...BASE, DOCKER_HOST: 'docker-proxy:2375' })).toThrow(
      /DOCKER_HOST: expected unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port/,
    );
  });
});
