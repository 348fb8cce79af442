import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** One thing `gridbot doctor` looked at. `problem` fails the run; `warning` does not. */
export interface Finding {
  check: string;
  level: 'ok' | 'warning' | 'problem';
  detail: string;
  /** What to do about it (not for `ok`). */
  fix?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, level: 'ok', detail });
export const problem = (check: string, detail: string, fix: string): Finding => ({
  check,
  level: 'problem',
  detail,
  fix,
});
export const warning = (check: string, detail: string, fix: string): Finding => ({
  check,
  level: 'warning',
  detail,
  fix,
});

/** Node 22 or newer (GridBot targets Node 24 LTS). */
export function checkNode(version = process.versions.node): Finding {
  const major = Number(version.split('.')[0]);
  return major >= 22
    ? ok('node', `Node ${version}`)
    : problem('node', `Node ${version} is too old`, 'Install Node 24 LTS (22 at least).');
}

/** `pg_dump`, which backups need, on PATH. */
export async function checkPgDump(): Promise<Finding> {
  try {
    const { stdout } = await promisify(execFile)('pg_dump', ['--version'], { timeout: 5_000 });
    return ok('pg_dump', stdout.trim());
  } catch {
    return warning(
      'pg_dump',
      'pg_dump is not installed: backups of a Postgres server cannot be made',
      'Install the PostgreSQL client (Debian: apt install postgresql-client).',
    );
  }
}

/** The Docker engine and the agent image, when agents run in containers. */
export async function checkDocker(agentRuntime: string, image: string): Promise<Finding> {
  if (agentRuntime === 'process') {
    return warning(
      'agents',
      'AGENT_RUNTIME=process: agents run as plain processes, not isolated',
      'Use AGENT_RUNTIME=docker (the default) outside development.',
    );
  }
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    const detail = `the Docker engine does not answer (${(error as Error).message})`;
    return agentRuntime === 'auto'
      ? warning('agents', `${detail}; agents would run as processes`, 'Start Docker.')
      : problem('agents', detail, 'Start Docker, or set AGENT_RUNTIME=process for development.');
  }
  try {
    await docker.getImage(image).inspect();
    return ok('agents', `Docker answers; image ${image} is there`);
  } catch {
    return problem(
      'agents',
      `the agent image ${image} is missing`,
      'Build it: pnpm agent:image (or set AGENT_IMAGE).',
    );
  }
}

/** How much the workspaces and backups hold. */
export async function checkDisk(dirs: { workspaces: string; backups: string }): Promise<Finding> {
  const [workspaces, backups] = await Promise.all([
    bytesUnder(dirs.workspaces),
    bytesUnder(dirs.backups),
  ]);
  return ok(
    'disk',
    `workspaces ${megabytes(workspaces)} (${dirs.workspaces}), backups ${megabytes(backups)} (${dirs.backups})`,
  );
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(path);
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
