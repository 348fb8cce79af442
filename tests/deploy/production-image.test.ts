/**
 * The production image, built offline (infra/build-offline-image.sh: this machine's Node
 * and PostgreSQL client, the bundle, a non-root user): `--version` runs, pg_dump is there,
 * and `gridbot start` in it becomes healthy by the very check docker-compose.yml runs,
 * writing its embedded database into the data volume as the non-root user.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { waitFor } from '../support/wait-for.ts';

const run = promisify(execFile);
const TAG = `gridbot-test-image:${process.pid}`;
let container: string | null = null;

beforeAll(async () => {
  await run('bash', [join(REPO_ROOT, 'infra/build-offline-image.sh'), TAG], {
    cwd: REPO_ROOT,
    timeout: 240_000,
  });
}, 300_000);

afterAll(async () => {
  if (container) await run('docker', ['rm', '-f', container]).catch(() => {});
  await run('docker', ['image', 'rm', '-f', TAG]).catch(() => {});
});

const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;

describe('the production image', () => {
  it('runs gridbot --version, as a user other than root, with pg_dump beside it', async () => {
    const { stdout } = await run('docker', ['run', '--rm', TAG, '--version']);
    expect(stdout.trim()).toBe(version);
    const dump = await run('docker', ['run', '--rm', '--entrypoint', 'pg_dump', TAG, '--version']);
    expect(dump.stdout).toMatch(/^pg_dump \(PostgreSQL\) \d+/);
    const { stdout: user } = await run('docker', [
      'image',
      'inspect',
      '--format',
      '{{.Config.User}}',
      TAG,
    ]);
    expect(user.trim()).toBe('1000:1000');
  });

  it('becomes healthy with gridbot start by the compose file’s own health check', async () => {
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { healthcheck: { test: string[] } }> };
    const [kind, ...check] = compose.services['all-in-one']!.healthcheck.test;
    expect(kind).toBe('CMD');
    const started = await run('docker', [
      'run',
      '--detach',
      '--network',
      'none',
      '--env',
      'DASHBOARD_TOKEN=production-image-test-token-0123456789',
      '--env',
      'AGENT_RUNTIME=process',
      TAG,
      'start',
    ]);
    container = started.stdout.trim();
    await waitFor(
      'the health check to pass',
      () =>
        run('docker', ['exec', container!, ...check]).then(
          () => true,
          () => false,
        ),
      60_000,
      500,
    );
    const { stdout } = await run('docker', [
      'exec',
      container,
      'node',
      '-e',
      "console.log(require('fs').readdirSync('/app/data').sort().join(' '))",
    ]);
    expect(stdout.split(' ')).toContain('db');
  }, 90_000);
});
