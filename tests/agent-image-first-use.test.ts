/**
 * `gridbot start` on a machine whose Docker engine answers but has no agent image yet: the
 * first start builds the image (printing its progress), and the agent answers from a
 * container — isolated, not the process fallback.
 */
import { rm } from 'node:fs/promises';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { runGridbot } from './support/gridbot-process.ts';

const docker = new Docker();
const image = `gridbot-agent-first-use:${process.pid}`;
const dataDir = `/tmp/gridbot-first-use-test-${process.pid}`;

describe('the agent image on first use', () => {
  afterAll(async () => {
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is built with progress when missing, and the agent then answers from a container', async () => {
    await expect(docker.getImage(image).inspect()).rejects.toThrow();
    const chat = await runGridbot(
      ['chat', '--once', '@Andy hello'],
      {
        DATA_DIR: dataDir,
        DASHBOARD_PORT: String(await freePort()),
        DASHBOARD_TOKEN: 'first-use-dashboard-token-0123456789',
        AGENT_IMAGE: image,
        AGENT_IDLE_MS: '0',
        LOG_LEVEL: 'info',
      },
      90_000,
    );
    expect(chat.code, chat.output).toBe(0);
    expect(chat.output).toMatch(/^Echo: \[Operator, \d\d:\d\d\] @Andy hello$/m);
    expect(chat.output).toContain(`the agent image ${image} is missing: building it once`);
    expect(chat.output).toContain(`building ${image}: bundling the agent program`);
    expect(chat.output).toContain(`the agent image ${image} is ready`);
    expect(chat.output).not.toContain('NOT isolated');
    await expect(docker.getImage(image).inspect()).resolves.toMatchObject({
      Config: { User: '1000:1000' },
    });
  });
});
