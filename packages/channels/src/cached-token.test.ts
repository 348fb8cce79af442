import { describe, expect, it } from 'vitest';
import { CachedToken } from './cached-token.ts';

describe('CachedToken', () => {
  it('fetches once for the calls that ask together, keeps the token, and fetches again once dropped', async () => {
    let fetches = 0;
    const token = new CachedToken(async () => ({ value: `t${++fetches}`, expiresInSeconds: 7200 }));
    expect(await Promise.all([token.get(), token.get(), token.get()])).toEqual(['t1', 't1', 't1']);
    expect(await token.get()).toBe('t1');
    token.drop();
    expect(await token.get()).toBe('t2');
    expect(fetches).toBe(2);
  });

  it('renews a short-lived token after half its life, and lets a failed fetch be tried again', async () => {
    let fetches = 0;
    const token = new CachedToken(async () => {
      fetches += 1;
      if (fetches === 1) throw new Error('refused');
      return { value: `t${fetches}`, expiresInSeconds: 0.05 };
    });
    await expect(token.get()).rejects.toThrow('refused');
    expect(await token.get()).toBe('t2');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await token.get()).toBe('t3');
  });
});
