import type { UserLevel } from '@gridbot/core';
import { type Kysely, type QueryCreator, sql } from 'kysely';
import type { Database, User } from '../database.ts';

export interface SenderInput {
  channel: string;
  platformUserId: string;
  name: string;
  username: string | null;
  /** Set when the channel's allowlist names this user; never unsets an earlier approval. */
  allowed?: boolean;
  /** The IANA zone the platform reports (the web chat's browser); kept only while none is known. */
  timeZone?: string | null;
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
      tz_name: input.timeZone ?? null,
      last_seen: new Date(),
    })
    .onConflict((oc) =>
      oc.columns(['channel', 'platform_user_id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        username: eb.ref('excluded.username'),
        last_seen: eb.ref('excluded.last_seen'),
        allowed: sql<boolean>`users.allowed or excluded.allowed`,
        tz_name: sql<string | null>`coalesce(users.tz_name, excluded.tz_name)`,
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

export async function findUserById(db: Kysely<Database>, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The people of a channel (or all), most recently seen first. */
export async function listUsers(
  db: Kysely<Database>,
  options: { limit: number; q?: string },
): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().orderBy('last_seen', 'desc').limit(options.limit);
  const q = options.q?.trim();
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('name', 'ilike', pattern),
        eb('username', 'ilike', pattern),
        eb('platform_user_id', 'ilike', pattern),
      ]),
    );
  }
  return query.execute();
}

/** A person's level of the behaviour settings: their defaults and the zone their platform reported. */
export function userLevel(user: User | null | undefined): UserLevel | null {
  return user ? { config: user.config, timezone: user.tz_name } : null;
}
