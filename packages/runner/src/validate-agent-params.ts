import {
  AGENT_METHODS,
  type AgentMethod,
  approvalRequestParamsSchema,
  artifactSaveParamsSchema,
  chatSendParamsSchema,
  llmCompleteParamsSchema,
  memoryReadParamsSchema,
  memoryWriteParamsSchema,
  runFinishParamsSchema,
  taskIdParamsSchema,
  taskListParamsSchema,
  taskScheduleParamsSchema,
  taskUpdateParamsSchema,
} from '@gridbot/core';

type Issue = { readonly path: ReadonlyArray<PropertyKey>; readonly message: string };
type Validation =
  | { success: true; data: unknown }
  | { success: false; error: { issues: ReadonlyArray<Issue> } };

/** The methods whose params core defines a schema for; the others are their handler's business. */
const VALIDATORS: Partial<Record<AgentMethod, (params: unknown) => Validation>> = {
  'llm.complete': (params) => llmCompleteParamsSchema.safeParse(params),
  'chat.send': (params) => chatSendParamsSchema.safeParse(params),
  'run.finish': (params) => runFinishParamsSchema.safeParse(params),
  'memory.read': (params) => memoryReadParamsSchema.safeParse(params ?? {}),
  'memory.write': (params) => memoryWriteParamsSchema.safeParse(params),
  'task.schedule': (params) => taskScheduleParamsSchema.safeParse(params),
  'task.list': (params) => taskListParamsSchema.safeParse(params ?? {}),
  'task.update': (params) => taskUpdateParamsSchema.safeParse(params),
  'task.pause': (params) => taskIdParamsSchema.safeParse(params),
  'task.resume': (params) => taskIdParamsSchema.safeParse(params),
  'task.cancel': (params) => taskIdParamsSchema.safeParse(params),
  'artifact.save': (params) => artifactSaveParamsSchema.safeParse(params),
  'approval.request': (params) => approvalRequestParamsSchema.safeParse(params),
};

function describeIssues(issues: ReadonlyArray<Issue>): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || 'params'}: ${issue.message}`)
    .join('; ');
}

/** True for the methods of the protocol (served or not by this host). */
export function isAgentMethod(method: string): method is AgentMethod {
  return (AGENT_METHODS as readonly string[]).includes(method);
}

/**
 * Checks an agent request's params against core's schema for the method (with defaults
 * filled in); methods without a schema pass unchanged. The failure message is for the agent.
 */
export function validateAgentParams(
  method: AgentMethod,
  params: unknown,
): { ok: true; params: unknown } | { ok: false; message: string } {
  const validation = VALIDATORS[method]?.(params);
  if (!validation) return { ok: true, params };
  if (validation.success) return { ok: true, params: validation.data };
  return {
    ok: false,
    message: `Invalid params for ${method}: ${describeIssues(validation.error.issues)}`,
  };
}
