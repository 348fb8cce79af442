export {
  type CommitRunInput,
  commitApprovalRequest,
  commitChatSend,
  commitFailure,
  commitRun,
  commitSkippedDrain,
  type Reply,
  type RunTarget,
} from './commit-run.ts';
export {
  CONSUMER_SETTINGS,
  DRAIN_ATTEMPTS,
  type DrainJob,
  drainJobSchema,
  OUTBOUND_ATTEMPTS,
  type OutboundJob,
  outboundJobSchema,
} from './jobs.ts';
export {
  DEFAULT_QUEUE_PREFIX,
  drainDedupId,
  outboundJobId,
  outboundQueueName,
  rescueDedupId,
  THREADS_QUEUE,
} from './names.ts';
export { PipelineQueues, type PipelineQueuesOptions } from './pipeline-queues.ts';
export {
  assertRedisReachable,
  createRedisConnection,
  type RedisConnectionOptions,
  waitForRedis,
} from './redis-connection.ts';
export {
  missedSlotJobId,
  onceJobId,
  SYSTEM_QUEUE,
  scheduledTaskIds,
  syncTaskSchedule,
  TASKS_QUEUE,
  type TaskJob,
  type TaskScheduleRow,
  taskJobSchema,
  taskSchedulerId,
  tasksChangedChannel,
} from './task-schedules.ts';
export {
  publishThreadEvent,
  type ThreadEvent,
  ThreadEventHub,
  threadEventSchema,
  threadEventsChannel,
} from './thread-events.ts';
export {
  acquireLease,
  leaseHolder,
  releaseLease,
  renewLease,
  type ThreadLease,
  takeOverLease,
  WORKER_DIED,
  withFencedTransaction,
} from './thread-lease.ts';
