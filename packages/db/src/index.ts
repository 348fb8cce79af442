export { type CreateDatabaseOptions, createDatabase } from './create-database.ts';
export type {
  AgentRun,
  Database,
  DeadLetter,
  DeadLetterStatus,
  Instance,
  Message,
  NewThread,
  OutboxDocument,
  OutboxPayload,
  OutboxRow,
  OutboxStatus,
  PublishedBehaviour,
  RunStatus,
  Thread,
  ThreadUpdate,
  User,
} from './database.ts';
export { isDatabaseUnavailable } from './database-unavailable.ts';
export {
  approvalActions,
  type CommitRunInput,
  commitApprovalRequest,
  commitChatSend,
  commitFailure,
  commitRun,
  commitSkippedDrain,
  type Reply,
  type RunTarget,
} from './fencing/commit-run.ts';
export {
  acquireLease,
  leaseHolder,
  releaseLease,
  renewLease,
  type ThreadLease,
  takeOverLease,
  WORKER_DIED,
  withFencedTransaction,
} from './fencing/thread-lease.ts';
export {
  type BackupOptions,
  type BackupResult,
  backupDatabase,
  type TableProgress,
} from './maintenance/backup.ts';
export { backupFileName, parseBackupFileName } from './maintenance/backup-file-name.ts';
export {
  backupEmbedded,
  EmbeddedTargetExistsError,
  restoreEmbedded,
} from './maintenance/embedded-backup.ts';
export {
  BackupFileError,
  PgToolFailedError,
  PgToolMissingError,
  RestoreTargetNotEmptyError,
} from './maintenance/maintenance-errors.ts';
export { pgDumpAvailable, pgRestoreAvailable } from './maintenance/pg-tools.ts';
export { pruneBackups } from './maintenance/prune-backups.ts';
export { type RestoreOptions, type RestoreResult, restoreDatabase } from './maintenance/restore.ts';
export {
  deleteInactiveThreads,
  type RetentionOptions,
  type RetentionResult,
} from './maintenance/retention.ts';
export { assertSchemaCurrent, migrateToLatest, pendingMigrations } from './migrations.ts';
export { type EmbeddedDatabase, openEmbeddedDatabase } from './pglite/open-embedded.ts';
export { PgliteDialect } from './pglite/pglite-dialect.ts';
export { PglitePool, PglitePoolClient } from './pglite/pglite-pool.ts';
export { type PgLikeResult, PgliteSession } from './pglite/pglite-session.ts';
export {
  type Approval,
  type ApprovalDecider,
  type ApprovalDecision,
  decideApproval,
  findApproval,
  insertApproval,
  markApprovalsDelivered,
  supersedePendingApprovals,
  undeliveredDecisions,
  writesInMainThread,
} from './repos/approvals-repo.ts';
export {
  imagesOfMessages,
  insertArtifact,
  listThreadImages,
  type NewArtifactInput,
  setImageAnalysis,
  type ThreadImage,
  threadImage,
} from './repos/artifacts-repo.ts';
export { type AuditEntry, recordAudit } from './repos/audit-log-repo.ts';
export {
  effectiveBehaviour,
  type GlobalBehaviour,
  globalBehaviour,
} from './repos/behaviour-repo.ts';
export {
  type ChannelLeaseState,
  claimChannelLease,
  releaseChannelLease,
  renewChannelLease,
} from './repos/channel-leases-repo.ts';
export {
  type ConfigChange,
  type ConfigChanged,
  type ConfigOwner,
  changeConfig,
} from './repos/config-repo.ts';
export {
  dashboardSessionLive,
  deleteDashboardSession,
  deleteDashboardSessionsExcept,
  insertDashboardSession,
  type NewDashboardSession,
} from './repos/dashboard-sessions-repo.ts';
export {
  type DeadLetterRetry,
  insertDeadLetter,
  listDeadLetters,
  type NewDeadLetter,
  retryDeadLetter,
} from './repos/dead-letters-repo.ts';
export {
  clearThreadMemory,
  isSearchable,
  type MessageMatch,
  resetHistory,
  searchMessages,
  type ThreadStats,
  threadStats,
} from './repos/history-repo.ts';
export {
  type InstanceInput,
  listInstances,
  listUpWorkers,
  publishedBehaviour,
  registerInstance,
  setInstanceStatus,
} from './repos/instances-repo.ts';
export {
  addMemory,
  listMemories,
  type MemoryCap,
  type MemoryEntry,
  type MemoryFull,
  removeMemory,
  replaceMemory,
  writeMemoryWithinCap,
} from './repos/memories-repo.ts';
export {
  historyBefore,
  insertMessage,
  listMessages,
  messagesAfter,
  type NewMessageInput,
  type StoredUserMessage,
  setMessageContent,
  storeUserMessage,
  type UserMessageInput,
  updateMessageText,
} from './repos/messages-repo.ts';
export {
  claimOutboxAttempt,
  type DeliveryReceipt,
  insertOutbox,
  markOutboxFailed,
  markOutboxSent,
  type NewOutboxInput,
  type OutboxClaim,
  recordChunkSent,
  recordDeliveryReceipt,
  setOutboxPlaceholder,
  setOutboxTransformedText,
} from './repos/outbox-repo.ts';
export {
  type ApprovePairingResult,
  approvePairing,
  listPairingRequests,
  type PairingRequest,
  type PairingStatus,
  type RequestPairingInput,
  requestPairing,
} from './repos/pairing-repo.ts';
export {
  finishRun,
  hasLiveRun,
  listRuns,
  recordRunAgent,
  type StartRunInput,
  startRun,
} from './repos/runs-repo.ts';
export {
  heldThreadsWithWork,
  markStaleInstancesDown,
  releaseExpiredLeases,
  strandedOutbox,
  strandedThreads,
} from './repos/sweep-repo.ts';
export {
  claimTaskSlot,
  finishTaskRun,
  reclaimTaskSlot,
  type TaskRunEnd,
} from './repos/task-runs-repo.ts';
export {
  findTask,
  insertTask,
  insertTaskWithinCap,
  listTasks,
  type NewTaskInput,
  recordTaskFired,
  type ScheduledTask,
  updateTask,
} from './repos/tasks-repo.ts';
export {
  admitDirectThread,
  type ChatMetadata,
  findThreadById,
  findThreadByJid,
  listThreads,
  type RegisterThreadInput,
  registerThread,
  unregisterThread,
  upsertThreadFromChat,
} from './repos/threads-repo.ts';
export {
  type LedgerEntry,
  recordTokens,
  todayIn,
  tokensUsedToday,
} from './repos/token-ledger-repo.ts';
export {
  findUser,
  findUserById,
  listUsers,
  type SenderInput,
  upsertUser,
  userLevel,
} from './repos/users-repo.ts';
