import { TOOL_METHODS } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { createDefaultTools } from './default-tools.ts';

/** Tools that act inside the sandbox only, and the one that asks for approval. */
const NO_WORKER_EFFECT = ['bash', 'list_files', 'read_file', 'write_file', 'request_approval'];

describe('the default tools', () => {
  it('are each known to the worker policy or act inside the sandbox only', () => {
    const names = createDefaultTools().map((tool) => tool.definition.name);
    const unknown = names.filter(
      (name) => !(name in TOOL_METHODS) && !NO_WORKER_EFFECT.includes(name),
    );
    expect(unknown).toEqual([]);
    expect(Object.keys(TOOL_METHODS).filter((name) => !names.includes(name))).toEqual([]);
  });
});
