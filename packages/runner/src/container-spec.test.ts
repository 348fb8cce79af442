import { describe, expect, it } from 'vitest';
import type { AgentSpec } from './agent-runtime.ts';
import {
  AGENT_OPEN_FILES,
  CONTAINER_LABELS,
  type ContainerSpecOptions,
  containerSpec,
  DEFAULT_SANDBOX_LIMITS,
} from './container-spec.ts';

const SPEC: AgentSpec = { threadId: 7, runId: 42, workspaceDir: '/data/threads/7' };
const OPTIONS: ContainerSpecOptions = {
  image: 'gridbot-agent:latest',
  user: '1000:1000',
  limits: {
    memoryBytes: 256 * 1024 * 1024,
    cpus: 1.5,
    pids: 64,
    outputBytes: 1024 * 1024,
    tmpBytes: 32 * 1024 * 1024,
  },
  workerId: 'worker-a',
  fleet: 'fleet-1',
  nameSuffix: 'abc123',
};

function created(spec: Partial<AgentSpec> = {}, options: Partial<ContainerSpecOptions> = {}) {
  return containerSpec({ ...SPEC, ...spec }, { ...OPTIONS, ...options });
}

// The output cap (`outputBytes`) is no create option: the attached stream enforces it, see
// demux-attach-stream.test.ts.
describe('containerSpec', () => {
  it('has no network', () => {
    const options = created();
    expect(options.NetworkDisabled).toBe(true);
    expect(options.HostConfig?.NetworkMode).toBe('none');
  });

  it('mounts the root filesystem read-only', () => {
    expect(created().HostConfig?.ReadonlyRootfs).toBe(true);
  });

  it('gives a /tmp tmpfs of the configured size, without executables, setuid or devices', () => {
    expect(created().HostConfig?.Tmpfs).toEqual({
      '/tmp': `rw,noexec,nosuid,nodev,size=${32 * 1024 * 1024}`,
    });
  });

  it('bounds the open files', () => {
    expect(created().HostConfig?.Ulimits).toEqual([
      { Name: 'nofile', Soft: AGENT_OPEN_FILES, Hard: AGENT_OPEN_FILES },
    ]);
  });

  it('drops every capability', () => {
    expect(created().HostConfig?.CapDrop).toEqual(['ALL']);
    expect(created().HostConfig?.CapAdd).toBeUndefined();
  });

  it('sets no-new-privileges', () => {
    expect(created().HostConfig?.SecurityOpt).toEqual(['no-new-privileges']);
  });

  it('runs as the given non-root user, in the workspace', () => {
    const options = created({}, { user: '1234:5678' });
    expect(options.User).toBe('1234:5678');
    expect(options.WorkingDir).toBe('/workspace');
  });

  it('limits memory with swap equal to it, so there is no swap', () => {
    const host = created().HostConfig;
    expect(host?.Memory).toBe(256 * 1024 * 1024);
    expect(host?.MemorySwap).toBe(256 * 1024 * 1024);
  });

  it('limits CPUs in nano-CPUs, fractions included', () => {
    expect(created().HostConfig?.NanoCpus).toBe(1_500_000_000);
  });

  it('limits the number of processes', () => {
    expect(created().HostConfig?.PidsLimit).toBe(64);
  });

  it('mounts the workspace writable, the global directory read-only, extra mounts as approved', () => {
    const options = created({
      globalDir: '/data/global',
      mounts: [
        { hostPath: '/srv/docs', containerPath: '/workspace/extra/docs', readOnly: true },
        { hostPath: '/srv/out', containerPath: '/workspace/extra/out', readOnly: false },
      ],
    });
    expect(options.HostConfig?.Binds).toBeUndefined();
    expect(options.HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: '/data/threads/7', Target: '/workspace', ReadOnly: false },
      { Type: 'bind', Source: '/data/global', Target: '/workspace/global', ReadOnly: true },
      { Type: 'bind', Source: '/srv/docs', Target: '/workspace/extra/docs', ReadOnly: true },
      { Type: 'bind', Source: '/srv/out', Target: '/workspace/extra/out', ReadOnly: false },
    ]);
  });

  it('mounts only the workspace when there is no global directory nor extra mount', () => {
    expect(created({ globalDir: null }).HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: '/data/threads/7', Target: '/workspace', ReadOnly: false },
    ]);
  });

  it('keeps a host path with ":" in it one path, read-only as approved', () => {
    const options = created({
      workspaceDir: '/data/threads/a:b',
      mounts: [{ hostPath: '/srv/x:/etc:rw', containerPath: '/workspace/extra/x', readOnly: true }],
    });
    expect(options.HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: '/data/threads/a:b', Target: '/workspace', ReadOnly: false },
      { Type: 'bind', Source: '/srv/x:/etc:rw', Target: '/workspace/extra/x', ReadOnly: true },
    ]);
  });

  it("runs under the engine's default OCI runtime unless another one is named", () => {
    expect(created().HostConfig?.Runtime).toBeUndefined();
    expect(created({}, { ociRuntime: 'runsc' }).HostConfig?.Runtime).toBe('runsc');
  });

  it('labels the container with its fleet, worker, thread and run, for the orphan sweep', () => {
    expect(created().Labels).toEqual({
      [CONTAINER_LABELS.managed]: '1',
      [CONTAINER_LABELS.fleet]: 'fleet-1',
      [CONTAINER_LABELS.worker]: 'worker-a',
      [CONTAINER_LABELS.thread]: '7',
      [CONTAINER_LABELS.run]: '42',
    });
  });

  it('passes no variable of the worker’s environment, so no secret', () => {
    process.env.GRIDBOT_TEST_SECRET = 'sk-live-never-in-a-container';
    try {
      const options = created();
      expect(options.Env).toEqual([
        'HOME=/workspace',
        'LANG=C.UTF-8',
        'TZ=UTC',
        'GRIDBOT_THREAD_ID=7',
        'GRIDBOT_RUN_ID=42',
      ]);
      expect(JSON.stringify(options)).not.toContain('sk-live-never-in-a-container');
    } finally {
      delete process.env.GRIDBOT_TEST_SECRET;
    }
  });

  it('runs an init process and leaves removal to the runtime (no AutoRemove), which reads the OOM verdict first', () => {
    const host = created().HostConfig;
    expect(host?.Init).toBe(true);
    expect(host?.AutoRemove).toBeUndefined();
  });

  it('attaches stdin, stdout and stderr without a TTY, so the two outputs arrive framed apart', () => {
    expect(created()).toMatchObject({
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: true,
      StdinOnce: false,
      Tty: false,
    });
  });

  it('uses the image, and its own command only when one is given', () => {
    expect(created().Image).toBe('gridbot-agent:latest');
    expect(created().Cmd).toBeUndefined();
    expect(created({}, { command: ['node', '/opt/agent.mjs'] }).Cmd).toEqual([
      'node',
      '/opt/agent.mjs',
    ]);
  });

  it('names the container after its thread and run', () => {
    expect(created().name).toBe('gridbot-t7-r42-abc123');
  });

  it('has defaults within what a small host can give every agent', () => {
    expect(DEFAULT_SANDBOX_LIMITS).toEqual({
      memoryBytes: 512 * 1024 * 1024,
      cpus: 1,
      pids: 256,
      outputBytes: 16 * 1024 * 1024,
      tmpBytes: 64 * 1024 * 1024,
    });
  });
});
