/**
 * docker-compose.yml as Compose itself reads it (Debian's docker-compose, which `.ci/run`
 * installs; no image is pulled): valid with nothing set, with each profile, and the
 * services a plain `up` starts are the server roles, none needing a token.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/gridbot-process.ts';

const run = promisify(execFile);

/** `docker-compose … config …` with an empty environment (no .env, no tokens). */
const compose = (...args: string[]) =>
  run('docker-compose', ['--project-directory', REPO_ROOT, '-f', 'docker-compose.yml', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '' },
  });

describe('docker-compose.yml read by Compose', () => {
  it('is valid with nothing set, and a plain up starts the server roles', async () => {
    const { stdout } = await compose('config');
    const { services } = parse(stdout) as { services: Record<string, { profiles?: string[] }> };
    const plain = Object.keys(services).filter((name) => !services[name]!.profiles);
    expect(plain.sort()).toEqual(
      ['dashboard', 'docker-proxy', 'migrate', 'postgres', 'redis', 'scheduler', 'worker'].sort(),
    );
  });

  it('is valid with every profile, each switching its service on', async () => {
    for (const [profile, service] of [
      ['telegram', 'gateway-telegram'],
      ['discord', 'gateway-discord'],
      ['slack', 'gateway-slack'],
      ['all-in-one', 'all-in-one'],
    ] as const) {
      const { stdout } = await compose('--profile', profile, 'config');
      const { services } = parse(stdout) as { services: Record<string, { profiles?: string[] }> };
      expect(services[service]?.profiles, profile).toEqual([profile]);
    }
  });
});
