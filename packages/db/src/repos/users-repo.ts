import { type Kysely, type QueryCreator, sql } from 'kysely';
import type { Database, User } from '../database.ts';

export interface SenderInput {
  channel: string;
  platformUserId: string;
  name: string;
  username: string | null;
  /** Set when the channel's allowlist names this user; never unsets an earlier approval. */
  allowed?: boolean;
}

/**
 * The statement that creates or refreshes a user from a message's sender, without its
 * RETURNING: `upsertUser` runs it alone, `storeUserMessage` as part of one statement.
 */
export function senderUpsert(db: QueryCreator<Database>, input: SenderInput) {
  return db
    .insertInto('users')
    .values({
      channel: input.channel,
      platform_user_id: input.platformUserId,
      name: input.name,
      username: input.username,
      allowed: input.allowed ?? false,
      config: '{}',
      last_seen: new Date(),
    })
    .onConflict((oc) =>
      oc.columns(['channel', 'platform_user_id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        username: eb.ref('excluded.username'),
        last_seen: eb.ref('excluded.last_seen'),
        allowed: sql<boolean>`users.allowed or excluded.allowed`,
      })),
    );
}

/** Creates or refreshes a user from a message's sender. */
export async function upsertUser(db: Kysely<Database>, input: SenderInput): Promise<User> {
  return senderUpsert(db, input).returningAll().executeTakeFirstOrThrow();
}

export async function findUser(
  db: Kysely<Database>,
  channel: string,
  platformUserId: string,
): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('channel', '=', channel)
    .where('platform_user_id', '=', platformUserId)
    .executeTakeFirst();
}
