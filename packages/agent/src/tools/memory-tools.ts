import type { MemoryReadParams, MemoryWriteParams } from '@gridbot/core';
import {
  type AgentTool,
  optionalStringArg,
  stringArg,
  ToolInputError,
  toolDefinition,
} from './agent-tool.ts';

type Scope = MemoryReadParams['scope'];

const scopeProperty = {
  type: 'string',
  enum: ['thread', 'global'],
  description:
    '"thread" (default): this chat\'s memory; "global": shared by every chat (only the main chat may write it).',
};

function scopeArg(args: Record<string, unknown>): Scope {
  const scope = optionalStringArg(args, 'scope') ?? 'thread';
  if (scope !== 'thread' && scope !== 'global') {
    throw new ToolInputError('"scope" must be "thread" or "global".');
  }
  return scope;
}

const remember: AgentTool = {
  definition: toolDefinition(
    'remember',
    'Saves a fact to long-term memory; every later run of yours sees it in its instructions. Keep entries short and self-contained (e.g. "Alice is vegetarian").',
    {
      content: { type: 'string', description: 'The fact to remember.' },
      scope: scopeProperty,
    },
    ['content'],
  ),
  async run(args, { call }) {
    const scope = scopeArg(args);
    const params: Partial<MemoryWriteParams> = { scope, content: stringArg(args, 'content') };
    const result = (await call('memory.write', params)) as { id?: unknown } | null;
    const id = typeof result?.id === 'number' ? ` as #${result.id}` : '';
    return { text: `Remembered${id} in ${scope} memory.` };
  },
};

const recall: AgentTool = {
  definition: toolDefinition(
    'recall',
    'Lists the entries of long-term memory, with their numbers.',
    { scope: scopeProperty },
  ),
  async run(args, { call }) {
    const scope = scopeArg(args);
    const params: Partial<MemoryReadParams> = { scope };
    const result = (await call('memory.read', params)) as { entries?: unknown } | null;
    const entries = Array.isArray(result?.entries) ? result.entries : [];
    if (entries.length === 0) return { text: `The ${scope} memory is empty.` };
    const lines = entries.map(
      (entry: { id?: unknown; content?: unknown }) =>
        `#${String(entry.id)} ${String(entry.content)}`,
    );
    return { text: lines.join('\n') };
  },
};

/** `remember` and `recall`: the worker's long-term memory. */
export function createMemoryTools(): AgentTool[] {
  return [remember, recall];
}
