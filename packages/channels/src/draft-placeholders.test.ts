import { asJid } from '@gridbot/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DraftPlaceholders, PLACEHOLDER_AFTER_MS } from './draft-placeholders.ts';

const jid = asJid('telegram:-100200');

/** A chat whose sends and edits are recorded. */
function chat() {
  const calls: string[] = [];
  const placeholders = new DraftPlaceholders();
  const show = (text: string) =>
    placeholders.show(
      jid,
      async () => {
        calls.push(`send ${text}`);
        return 'm1';
      },
      async (id) => {
        calls.push(`edit ${id} ${text}`);
      },
    );
  return { placeholders, calls, show };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DraftPlaceholders', () => {
  it('makes no placeholder for a reply done soon after its first draft', async () => {
    const { placeholders, calls, show } = chat();
    await show('Hel');
    await vi.advanceTimersByTimeAsync(PLACEHOLDER_AFTER_MS - 100);
    placeholders.end(jid);
    expect(await placeholders.take(jid)).toBeNull();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual([]);
  });

  it('sends the placeholder with the latest draft, then edits it, and the reply takes it', async () => {
    const { placeholders, calls, show } = chat();
    await show('Hel');
    await vi.advanceTimersByTimeAsync(100);
    await show('Hello the');
    await vi.advanceTimersByTimeAsync(PLACEHOLDER_AFTER_MS);
    expect(calls).toEqual(['send Hello the']);
    await show('Hello there, friend');
    placeholders.end(jid);
    expect(calls).toEqual(['send Hello the', 'edit m1 Hello there, friend']);
    expect(await placeholders.take(jid)).toBe('m1');
    // A draft still in flight after the reply took it starts nothing.
    await show('Hello there, friend!');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(2);
  });

  it('gives the next reply a placeholder of its own', async () => {
    const { placeholders, calls, show } = chat();
    await show('first reply');
    await vi.advanceTimersByTimeAsync(PLACEHOLDER_AFTER_MS);
    placeholders.end(jid);
    expect(await placeholders.take(jid)).toBe('m1');
    await vi.advanceTimersByTimeAsync(10_000);
    await show('second reply');
    await vi.advanceTimersByTimeAsync(PLACEHOLDER_AFTER_MS);
    expect(calls).toEqual(['send first reply', 'send second reply']);
  });
});
