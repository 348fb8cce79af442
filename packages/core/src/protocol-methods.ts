import { z } from 'zod';

/**
 * Parameters of the agent's requests beyond the model call: memory, scheduled tasks and
 * artifacts. `threadJid` targets another thread, which only the main thread may do.
 */
const targetThread = { threadJid: z.string().min(3).max(300).optional() };

export const memoryReadParamsSchema = z.object({
  scope: z.enum(['thread', 'global']).default('thread'),
  ...targetThread,
});
export type MemoryReadParams = z.infer<typeof memoryReadParamsSchema>;

export const memoryWriteParamsSchema = z
  .object({
    scope: z.enum(['thread', 'global']).default('thread'),
    /** Replace (or, with `remove`, delete) this entry instead of adding one. */
    id: z.number().int().positive().optional(),
    content: z.string().min(1).max(8_000).optional(),
    remove: z.boolean().default(false),
    ...targetThread,
  })
  .refine((p) => (p.remove ? p.id !== undefined : p.content !== undefined), {
    message: 'give content to write, or id with remove: true to delete',
  });
export type MemoryWriteParams = z.infer<typeof memoryWriteParamsSchema>;

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cron'), expression: z.string().min(9).max(200) }),
  z.object({ kind: z.literal('interval'), everyMs: z.number().int().positive() }),
  z.object({ kind: z.literal('once'), at: z.string().min(10).max(40) }),
]);

export const taskScheduleParamsSchema = z.object({
  prompt: z.string().min(1).max(4_000),
  schedule: scheduleSchema,
  /** IANA zone of a cron schedule; default the thread's. */
  timezone: z.string().min(1).max(64).optional(),
  contextMode: z.enum(['group', 'isolated']).default('group'),
  misfirePolicy: z.enum(['skip', 'run-once']).default('skip'),
  ...targetThread,
});
export type TaskScheduleParams = z.infer<typeof taskScheduleParamsSchema>;

export const taskListParamsSchema = z.object({ ...targetThread });
export type TaskListParams = z.infer<typeof taskListParamsSchema>;

export const taskUpdateParamsSchema = z.object({
  taskId: z.number().int().positive(),
  prompt: z.string().min(1).max(4_000).optional(),
  schedule: scheduleSchema.optional(),
  timezone: z.string().min(1).max(64).optional(),
  contextMode: z.enum(['group', 'isolated']).optional(),
  misfirePolicy: z.enum(['skip', 'run-once']).optional(),
});
export type TaskUpdateParams = z.infer<typeof taskUpdateParamsSchema>;

export const taskIdParamsSchema = z.object({ taskId: z.number().int().positive() });
export type TaskIdParams = z.infer<typeof taskIdParamsSchema>;

/**
 * Asks a human before a risky action. The request is posted in the chat; the run should end
 * after it (the worker records it as awaiting approval) and a later run receives the outcome.
 */
export const approvalRequestParamsSchema = z.object({
  tool: z.string().min(1).max(100),
  summary: z.string().min(1).max(1_000),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ApprovalRequestParams = z.infer<typeof approvalRequestParamsSchema>;

/** Artifacts are references (a URL or a storage key), never inline data. */
export const artifactSaveParamsSchema = z
  .object({
    kind: z.enum(['image', 'file']),
    url: z
      .string()
      .url()
      .max(2_048)
      .refine((u) => !u.startsWith('data:'), {
        message: 'inline data URLs are not accepted; store the file and pass its URL or key',
      })
      .optional(),
    storageKey: z.string().min(1).max(512).optional(),
    prompt: z.string().max(8_000).optional(),
    analysis: z.string().max(32_000).optional(),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((p) => p.url !== undefined || p.storageKey !== undefined, {
    message: 'give a url or a storageKey',
  });
export type ArtifactSaveParams = z.infer<typeof artifactSaveParamsSchema>;
