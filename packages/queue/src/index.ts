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
export { PostgresPubSub } from './postgres-pubsub.ts';
export {
  BULLMQ_SCHEMA,
  createBullmqPool,
  PostgresTransport,
  type PostgresTransportOptions,
} from './postgres-transport.ts';
export type { PubSub, PubSubHandler } from './pubsub.ts';
export {
  assertRedisReachable,
  createRedisConnection,
  type RedisConnectionOptions,
  waitForRedis,
} from './redis-connection.ts';
export { RedisPubSub } from './redis-pubsub.ts';
export { RedisTransport, type RedisTransportOptions } from './redis-transport.ts';
export {
  cutToBytes,
  MAX_DRAFT_BYTES,
  RUN_HEARTBEAT_MS,
  type RunActivity,
  runActivityChannel,
  runActivitySchema,
} from './run-activity.ts';
export {
  announceTaskChange,
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
export type {
  QueueTransport,
  TransportQueue,
  TransportWorker,
  TransportWorkerOptions,
} from './transport.ts';
