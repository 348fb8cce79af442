import type { MessageAction } from '@gridbot/core';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
type Json<T = unknown> = ColumnType<T, string | undefined, string>;

export interface ThreadsTable {
  id: Generated<number>;
  jid: string;
  channel: string;
  platform_chat_id: string;
  platform_thread_id: string | null;
  title: string | null;
  is_group: boolean;
  registered: Generated<boolean>;
  is_main: Generated<boolean>;
  folder: string | null;
  trigger_pattern: string | null;
  requires_trigger: Generated<boolean>;
  config: Json<Record<string, unknown>>;
  /** Id of the last message a committed run has consumed. */
  cursor: Generated<number>;
  /** `/reset`: messages up to this id are kept but no longer sent to the model (0: none). */
  history_from: Generated<number>;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  lease_token: Generated<number>;
  /** `ok`, or `failed` after a run exhausted its retries (cleared by the next success). */
  status: Generated<string>;
  /** Day (YYYY-MM-DD, thread's time zone) the thread was last told its token budget is spent. */
  budget_notice_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** When an admin last unregistered it (null: never, or registered since). */
  unregistered_at: NullableTimestamp;
  last_activity: Timestamp;
  created_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<number>;
  channel: string;
  platform_user_id: string;
  name: string;
  username: string | null;
  tz_name: string | null;
  tz_label: string | null;
  tz_offset_minutes: number | null;
  config: Json<Record<string, unknown>>;
  allowed: Generated<boolean>;
  paired_at: NullableTimestamp;
  last_seen: Timestamp;
  created_at: Generated<Date>;
}

export interface MessagesTable {
  id: Generated<number>;
  thread_id: number;
  platform_message_id: string;
  sender_id: number | null;
  sender_name: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  reply_to: string | null;
  triggers: Generated<boolean>;
  sent_at: Timestamp;
  edited_at: NullableTimestamp;
  metadata: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface ArtifactsTable {
  id: Generated<number>;
  thread_id: number;
  message_id: number | null;
  kind: 'image' | 'file';
  url: string | null;
  storage_key: string | null;
  prompt: string | null;
  analysis: string | null;
  original_analysis: string | null;
  metadata: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'fenced'
  | 'awaiting_approval';

export interface AgentRunsTable {
  id: Generated<number>;
  thread_id: number;
  trigger: 'message' | 'task' | 'manual';
  status: RunStatus;
  worker: string;
  container: string | null;
  job_id: string | null;
  attempt: number;
  lease_token: number;
  started_at: Generated<Date>;
  finished_at: NullableTimestamp;
  error: string | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A file an outbox row carries (a history export); its content is UTF-8 text. */
export interface OutboxDocument {
  fileName: string;
  mimeType: string;
  content: string;
}

/** What an outbox row sends: text in chunks, or one document with `text` as its caption. */
export interface OutboxPayload {
  text: string;
  replyTo: string | null;
  document?: OutboxDocument;
  /** The gateway's plugins rewrote `text` already (see `setOutboxTransformedText`). */
  transformed?: boolean;
  /** Buttons under the message (its last chunk); a platform without buttons ignores them. */
  actions?: MessageAction[];
  /**
   * The platform id of the placeholder the reply was drafted in: its first chunk is an edit
   * of that message (see `setOutboxPlaceholder`).
   */
  placeholder?: string;
}

export interface OutboxTable {
  id: Generated<number>;
  thread_id: number;
  run_id: number | null;
  channel: string;
  jid: string;
  payload: Json<OutboxPayload>;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  /** Platform ids of the chunks sent so far, in order; a retry resumes after them. */
  platform_message_ids: Json<string[]>;
  error: string | null;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
  /** The platform's last receipt for the row's messages (WhatsApp), or null. */
  delivery_status: 'sent' | 'delivered' | 'read' | 'failed' | null;
  /** Why the platform could not deliver it, when `delivery_status` is failed. */
  delivery_error: string | null;
  delivery_updated_at: NullableTimestamp;
}

export interface ScheduledTasksTable {
  id: Generated<number>;
  thread_id: number;
  prompt: string;
  schedule_kind: 'cron' | 'interval' | 'once';
  schedule_value: string;
  timezone: string | null;
  context_mode: Generated<'group' | 'isolated'>;
  misfire_policy: Generated<'skip' | 'run-once'>;
  status: Generated<'active' | 'paused' | 'cancelled' | 'completed'>;
  next_run_at: NullableTimestamp;
  last_run_at: NullableTimestamp;
  created_by: string | null;
  /** The person whose run scheduled it: its firings use their defaults. */
  owner_user_id: Generated<number | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TaskRunsTable {
  id: Generated<number>;
  task_id: number;
  run_id: number | null;
  run_at: Timestamp;
  started_at: Generated<Date>;
  finished_at: NullableTimestamp;
  duration_ms: number | null;
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  result_summary: string | null;
  error: string | null;
}

export interface ApprovalsTable {
  id: Generated<number>;
  thread_id: number;
  run_id: number | null;
  proposal: Json<Record<string, unknown>>;
  /** The user whose message led to the request (see `mayDecideApproval`). */
  requested_by: number | null;
  status: Generated<'pending' | 'approved' | 'rejected' | 'superseded' | 'expired'>;
  requested_at: Generated<Date>;
  expires_at: NullableTimestamp;
  resolved_by: string | null;
  resolved_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
}

export interface TokenLedgerTable {
  id: Generated<number>;
  scope: string;
  thread_id: number | null;
  run_id: number | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  created_at: Generated<Date>;
}

export interface MemoriesTable {
  id: Generated<number>;
  /** Null for global memory. */
  thread_id: number | null;
  content: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface InstancesTable {
  id: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  git_sha: string | null;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
  status: 'up' | 'stopping' | 'down';
  /** A worker's agents: in Docker, or as plain processes (not isolated); null for other roles. */
  agent_runtime: 'docker' | 'process' | null;
  /** A worker's global behaviour settings (see {@link PublishedBehaviour}); null for other roles. */
  behaviour: ColumnType<PublishedBehaviour | null, string | null | undefined, string | null>;
}

/** What a worker publishes about the settings its runs start from. */
export interface PublishedBehaviour {
  /** The model provider answering its calls: `anthropic`, `openai`, `echo`. */
  provider: string;
  /** The global level of the behaviour settings (its environment over the built-in defaults). */
  config: Record<string, unknown>;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor: string;
  action: string;
  target: string | null;
  details: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface PairingRequestsTable {
  id: Generated<number>;
  channel: string;
  platform_user_id: string;
  user_name: string | null;
  /** JID of the direct chat the code was given in. */
  jid: string;
  thread_id: number;
  /** Six characters from an unambiguous alphabet, stored upper case. */
  code: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  approved_at: NullableTimestamp;
  approved_by: string | null;
}

export type DeadLetterStatus = 'open' | 'retried' | 'dismissed';

/**
 * Messages a thread's runs failed on every attempt for a reason no wait would fix (an
 * agent that crashes on this input): the cursor moved past them so the thread is not
 * blocked; an operator may retry them from the dashboard.
 */
export interface DeadLettersTable {
  id: Generated<number>;
  thread_id: number;
  run_id: number | null;
  /** The skipped messages: ids after `after_cursor` up to `last_message_id`. */
  after_cursor: number;
  last_message_id: number;
  messages: number;
  error: string;
  attempts: number;
  status: Generated<DeadLetterStatus>;
  created_at: Generated<Date>;
  resolved_at: NullableTimestamp;
  resolved_by: string | null;
}

/** A dashboard login: valid while its row exists, is unexpired and matches the token. */
export interface DashboardSessionsTable {
  /** SHA-256 (hex) of the session id the cookie carries. */
  id_hash: string;
  /** A fingerprint of the dashboard token that issued the session. */
  token_fingerprint: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

/** One receiver per channel account across processes (see migration 0015). */
export interface ChannelLeasesTable {
  name: string;
  holder: string;
  /** A bigint: a string from pg, a number from PGlite. */
  epoch: ColumnType<string | number, number | undefined, number>;
  acquired_at: Generated<Date>;
  expires_at: Date;
}

/** The whole schema, as Kysely sees it. */
export interface Database {
  threads: ThreadsTable;
  users: UsersTable;
  messages: MessagesTable;
  artifacts: ArtifactsTable;
  agent_runs: AgentRunsTable;
  outbox: OutboxTable;
  scheduled_tasks: ScheduledTasksTable;
  task_runs: TaskRunsTable;
  approvals: ApprovalsTable;
  token_ledger: TokenLedgerTable;
  memories: MemoriesTable;
  instances: InstancesTable;
  audit_log: AuditLogTable;
  pairing_requests: PairingRequestsTable;
  dead_letters: DeadLettersTable;
  dashboard_sessions: DashboardSessionsTable;
  channel_leases: ChannelLeasesTable;
}

export type Thread = Selectable<ThreadsTable>;
export type NewThread = Insertable<ThreadsTable>;
export type ThreadUpdate = Updateable<ThreadsTable>;
export type User = Selectable<UsersTable>;
export type Message = Selectable<MessagesTable>;
export type AgentRun = Selectable<AgentRunsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type Instance = Selectable<InstancesTable>;
export type DeadLetter = Selectable<DeadLettersTable>;
