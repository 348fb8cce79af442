import { describe, expect, it } from 'vitest';
import { shouldTrigger, validateTriggerPattern } from './trigger.ts';

const base = {
  text: '',
  isGroup: true,
  requiresTrigger: true,
  pattern: null,
  assistantName: 'Andy',
  mentionsBot: false,
  repliesToBot: false,
};

describe('shouldTrigger', () => {
  it('matches the default trigger at the start, as a word, any case', () => {
    expect(shouldTrigger({ ...base, text: '@Andy hello' })).toBe(true);
    expect(shouldTrigger({ ...base, text: '  @andy, hi' })).toBe(true);
    expect(shouldTrigger({ ...base, text: '@Andy' })).toBe(true);
    expect(shouldTrigger({ ...base, text: '@Andrew hello' })).toBe(false);
    expect(shouldTrigger({ ...base, text: 'hello @Andy' })).toBe(false);
  });

  it('escapes regex characters in the assistant name', () => {
    expect(shouldTrigger({ ...base, assistantName: 'A.I', text: '@A.I go' })).toBe(true);
    expect(shouldTrigger({ ...base, assistantName: 'A.I', text: '@AxI go' })).toBe(false);
  });

  it('answers direct chats and no-trigger threads always', () => {
    expect(shouldTrigger({ ...base, isGroup: false, text: 'hi' })).toBe(true);
    expect(shouldTrigger({ ...base, requiresTrigger: false, text: 'hi' })).toBe(true);
  });

  it('answers mentions and replies to the bot', () => {
    expect(shouldTrigger({ ...base, mentionsBot: true, text: 'hey @gridbot' })).toBe(true);
    expect(shouldTrigger({ ...base, repliesToBot: true, text: 'and then?' })).toBe(true);
  });

  it('uses a thread pattern, and an invalid one matches nothing', () => {
    expect(shouldTrigger({ ...base, pattern: '^bot[,:]', text: 'Bot: go' })).toBe(true);
    expect(shouldTrigger({ ...base, pattern: '(', text: '(' })).toBe(false);
    expect(validateTriggerPattern('(')).toMatch(/Invalid regular expression/);
    expect(validateTriggerPattern('^x')).toBeNull();
  });
});
