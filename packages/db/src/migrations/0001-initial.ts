import { type Kysely, sql } from 'kysely';

/** Every table of the design's data model. Later migrations add columns, not redesigns. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  const emptyObject = sql`'{}'::jsonb`;

  await db.schema
    .createTable('threads')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('jid', 'text', (c) => c.notNull().unique())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('platform_chat_id', 'text', (c) => c.notNull())
    .addColumn('platform_thread_id', 'text')
    .addColumn('title', 'text')
    .addColumn('is_group', 'boolean', (c) => c.notNull())
    .addColumn('registered', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_main', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('folder', 'text', (c) => c.unique())
    .addColumn('trigger_pattern', 'text')
    .addColumn('requires_trigger', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('cursor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('lease_token', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('last_activity', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`create unique index threads_one_main on threads (is_main) where is_main`.execute(db);

  await db.schema
    .createTable('users')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('platform_user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('tz_name', 'text')
    .addColumn('tz_label', 'text')
    .addColumn('tz_offset_minutes', 'integer')
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('allowed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('paired_at', 'timestamptz')
    .addColumn('last_seen', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('users_channel_platform_user_id', ['channel', 'platform_user_id'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('platform_message_id', 'text', (c) => c.notNull())
    .addColumn('sender_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('sender_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('user', 'assistant', 'system')`),
    )
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('triggers', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('edited_at', 'timestamptz')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('messages_thread_platform_id', ['thread_id', 'platform_message_id'])
    .execute();
  await db.schema
    .createIndex('messages_thread_id_id')
    .on('messages')
    .columns(['thread_id', 'id'])
    .execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('message_id', 'bigint', (c) => c.references('messages.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('image', 'file')`))
    .addColumn('url', 'text')
    .addColumn('storage_key', 'text')
    .addColumn('prompt', 'text')
    .addColumn('analysis', 'text')
    .addColumn('original_analysis', 'text')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('agent_runs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('container', 'text')
    .addColumn('job_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('lease_token', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('agent_runs_thread_id')
    .on('agent_runs')
    .columns(['thread_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('run_id', 'bigint', (c) => c.references('agent_runs.id').onDelete('set null'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('jid', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('platform_message_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`create index outbox_pending on outbox (created_at) where status = 'pending'`.execute(
    db,
  );

  await db.schema
    .createTable('scheduled_tasks')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('schedule_kind', 'text', (c) =>
      c.notNull().check(sql`schedule_kind in ('cron', 'interval', 'once')`),
    )
    .addColumn('schedule_value', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text')
    .addColumn('context_mode', 'text', (c) => c.notNull().defaultTo('group'))
    .addColumn('misfire_policy', 'text', (c) => c.notNull().defaultTo('skip'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('next_run_at', 'timestamptz')
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('task_runs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('task_id', 'bigint', (c) =>
      c.notNull().references('scheduled_tasks.id').onDelete('cascade'),
    )
    .addColumn('run_id', 'bigint', (c) => c.references('agent_runs.id').onDelete('set null'))
    .addColumn('run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('duration_ms', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result_summary', 'text')
    .addColumn('error', 'text')
    .addUniqueConstraint('task_runs_task_slot', ['task_id', 'run_at'])
    .execute();

  await db.schema
    .createTable('approvals')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('run_id', 'bigint', (c) => c.references('agent_runs.id').onDelete('set null'))
    .addColumn('proposal', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('token_ledger')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'bigint', (c) => c.references('threads.id').onDelete('set null'))
    .addColumn('run_id', 'bigint', (c) => c.references('agent_runs.id').onDelete('set null'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('input_tokens', 'integer', (c) => c.notNull())
    .addColumn('output_tokens', 'integer', (c) => c.notNull())
    .addColumn('cost', 'numeric')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('token_ledger_thread_day')
    .on('token_ledger')
    .columns(['thread_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('memories')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) => c.references('threads.id').onDelete('cascade'))
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('git_sha', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'instances',
    'memories',
    'token_ledger',
    'approvals',
    'task_runs',
    'scheduled_tasks',
    'outbox',
    'agent_runs',
    'artifacts',
    'messages',
    'users',
    'threads',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
