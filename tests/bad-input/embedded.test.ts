/**
 * Bad input of the embedded mode (`gridbot start` without DATABASE_URL): each a clear
 * message, and nothing of what is there overwritten.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { runGridbot } from '../support/gridbot-process.ts';

const root = `/tmp/gridbot-embedded-bad-${process.pid}`;

async function start(extra: Record<string, string>) {
  return runGridbot(
    ['start'],
    {
      DASHBOARD_PORT: String(await freePort()),
      DASHBOARD_TOKEN: 'embedded-bad-input-token-0123456789',
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      ...extra,
    },
    30_000,
  );
}

function expectClear(output: string): void {
  expect(output).toMatch(/^gridbot: /m);
  expect(output).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
}

describe('gridbot start without a database server, given bad input', () => {
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names DATA_DIR when it cannot be created', async () => {
    // A file where a directory should be: no user, root included, can create it.
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'a-file'), 'not a directory');
    const dataDir = join(root, 'a-file', 'data');
    const result = await start({ DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expectClear(result.output);
    expect(result.output).toContain(`DATA_DIR: cannot create ${dataDir}`);
    expect(await readFile(join(root, 'a-file'), 'utf8')).toBe('not a directory');
  });

  it('refuses a damaged embedded database, naming it, and leaves its files alone', async () => {
    const dataDir = join(root, 'damaged');
    await mkdir(join(dataDir, 'db'), { recursive: true });
    await writeFile(join(dataDir, 'db', 'PG_VERSION'), 'not a version\n');
    await writeFile(join(dataDir, 'db', 'global'), 'a file where a directory belongs');
    const result = await start({ DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expectClear(result.output);
    expect(result.output).toContain(
      `the embedded database in ${join(dataDir, 'db')} cannot be opened`,
    );
    expect(result.output).toContain('restore a backup');
    expect(await readFile(join(dataDir, 'db', 'PG_VERSION'), 'utf8')).toBe('not a version\n');
    expect(await readFile(join(dataDir, 'db', 'global'), 'utf8')).toBe(
      'a file where a directory belongs',
    );
  });

  it('refuses REDIS_URL without DATABASE_URL instead of quietly ignoring it', async () => {
    const result = await start({
      DATA_DIR: join(root, 'redis-only'),
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(result.code).toBe(1);
    expectClear(result.output);
    expect(result.output).toContain('REDIS_URL is set but DATABASE_URL is not');
  });
});
