import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, migrateToLatest } from '@gridbot/db';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);

/** The bin directory of the newest installed PostgreSQL (Debian's layout). */
async function pgBin(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/** Runs a PostgreSQL tool as the postgres user when the tests run as root (initdb refuses root). */
function asPostgres(tool: string, args: string[]) {
  const root = process.getuid?.() === 0;
  return root ? run('runuser', ['-u', 'postgres', '--', tool, ...args]) : run(tool, args);
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, on a free port, trust
 * auth), which the test may crash and restart. Never the shared server.
 */
export class PrivatePostgres {
  readonly port: number;
  readonly #dir: string;
  readonly #bin: string;

  private constructor(port: number, dir: string, bin: string) {
    this.port = port;
    this.#dir = dir;
    this.#bin = bin;
  }

  static async start(): Promise<PrivatePostgres> {
    const [bin, port, dir] = await Promise.all([
      pgBin(),
      freePort(),
      mkdtemp(join(tmpdir(), 'gridbot-pg-')),
    ]);
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const uid = Number(stdout.trim());
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      await chown(dir, uid, Number(gid.trim()));
    }
    await chmod(dir, 0o700);
    await asPostgres(`${bin}/initdb`, [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    const server = new PrivatePostgres(port, dir, bin);
    await server.start();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** The URL of another database on this cluster. */
  databaseUrl(name: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** Creates a database on this cluster with GridBot's schema; returns its URL. */
  async migratedDatabase(name: string): Promise<string> {
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    try {
      await admin.query(`create database ${pg.escapeIdentifier(name)}`);
    } finally {
      await admin.end();
    }
    const url = this.databaseUrl(name);
    const db = createDatabase({ connectionString: url, max: 1 });
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
    return url;
  }

  /** `pg_ctl -D <data> …args`, as the postgres user. */
  #ctl(args: string[]) {
    return asPostgres(`${this.#bin}/pg_ctl`, ['-D', join(this.#dir, 'data'), ...args]);
  }

  async start(): Promise<void> {
    await this.#ctl([
      '-l',
      join(this.#dir, 'log'),
      '-w',
      '-o',
      // fsync off: the tests crash the server, never the machine, so the page cache survives.
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.#dir} -c fsync=off -c max_connections=200`,
      'start',
    ]);
    await waitFor(`postgres on ${this.port}`, async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    });
  }

  /** Stops the server in immediate mode: a crash, recovered from the WAL at the next start. */
  async crash(): Promise<void> {
    await this.#ctl(['-m', 'immediate', 'stop']);
  }

  /** Stops the server and removes its files; safe to call twice. */
  async destroy(): Promise<void> {
    await this.crash().catch(() => {});
    await rm(this.#dir, { recursive: true, force: true });
  }
}
