import { createDatabase, migrateToLatest } from '@gridbot/db';
import { baseEnvShape, parseEnv } from '@gridbot/service';
import { z } from 'zod';

/** `gridbot migrate`: apply pending migrations and report them. */
export async function migrateCommand(env: Record<string, string | undefined>): Promise<void> {
  const { DATABASE_URL } = parseEnv(z.object({ DATABASE_URL: baseEnvShape.DATABASE_URL }), env);
  const db = createDatabase({
    connectionString: DATABASE_URL,
    max: 1,
    applicationName: 'gridbot-migrate',
  });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length === 0 ? 'Schema is up to date.' : `Applied: ${applied.join(', ')}`);
  } finally {
    await db.destroy();
  }
}
