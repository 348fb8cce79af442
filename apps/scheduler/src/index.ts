export {
  parseSchedulerEnv,
  type SchedulerEnv,
  schedulerEnvSchema,
  schedulerEnvShape,
} from './env.ts';
export { attachScheduler, runScheduler } from './run-scheduler.ts';
export { SchedulerRole, type SchedulerRoleOptions } from './scheduler-role.ts';
export { type SweeperOptions, sweep } from './sweeper.ts';
export { TaskReconciler } from './task-reconciler.ts';
