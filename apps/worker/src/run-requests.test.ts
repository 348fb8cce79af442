import type { LlmCompleteParams } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { withholdTools } from './run-requests.ts';

const tool = (name: string) => ({ name, description: name, inputSchema: { type: 'object' } });

describe('withholdTools', () => {
  it('takes a withheld tool out of what the model is offered, whatever the agent lists', () => {
    const params = {
      messages: [{ role: 'user', content: 'hi' }],
      tools: [tool('bash'), tool('read_file')],
    } as unknown as LlmCompleteParams;
    const offered = withholdTools(params, new Set(['bash']));
    expect(offered.tools?.map((t) => t.name)).toEqual(['read_file']);
    expect(params.tools?.map((t) => t.name)).toEqual(['bash', 'read_file']);
  });

  it('leaves the call alone when nothing is withheld', () => {
    const params = { messages: [], tools: [tool('bash')] } as unknown as LlmCompleteParams;
    expect(withholdTools(params, undefined)).toBe(params);
    expect(withholdTools(params, new Set())).toBe(params);
  });
});
