import { describe, expect, it } from 'vitest';
import { SESSION_TTL_MS, SessionSigner } from './session.ts';

describe('SessionSigner', () => {
  const signer = new SessionSigner('a-dashboard-token-of-some-length');

  it('checks the token exactly', () => {
    expect(signer.checkToken('a-dashboard-token-of-some-length')).toBe(true);
    expect(signer.checkToken('a-dashboard-token-of-some-lengt')).toBe(false);
    expect(signer.checkToken('a-dashboard-token-of-some-length!')).toBe(false);
    expect(signer.checkToken('')).toBe(false);
  });

  it('accepts its own sessions until they expire', () => {
    const now = 1_700_000_000_000;
    const cookie = signer.issue(now);
    const id = signer.verify(cookie, now + 1000);
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(signer.verify(cookie, now + SESSION_TTL_MS + 1)).toBeNull();
  });

  it('refuses tampered cookies and sessions signed with another token', () => {
    const cookie = signer.issue();
    const [id, expires, signature] = cookie.split('.');
    expect(signer.verify(`${id}.${Number(expires) + 1}.${signature}`)).toBeNull();
    expect(signer.verify(`x${id}.${expires}.${signature}`)).toBeNull();
    expect(signer.verify('garbage')).toBeNull();
    expect(signer.verify(undefined)).toBeNull();
    expect(new SessionSigner('another-token-entirely-here').verify(cookie)).toBeNull();
  });

  it('binds CSRF tokens to the session', () => {
    const a = signer.verify(signer.issue())!;
    const b = signer.verify(signer.issue())!;
    expect(signer.checkCsrf(a, signer.csrfFor(a))).toBe(true);
    expect(signer.checkCsrf(a, signer.csrfFor(b))).toBe(false);
    expect(signer.checkCsrf(a, undefined)).toBe(false);
  });

  it('names its token by a fingerprint that differs per token and does not contain it', () => {
    const other = new SessionSigner('another-token-entirely-here');
    expect(signer.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(other.fingerprint).not.toBe(signer.fingerprint);
    expect(new SessionSigner('a-dashboard-token-of-some-length').fingerprint).toBe(
      signer.fingerprint,
    );
    expect(signer.fingerprint).not.toContain(Buffer.from('a-dashboard-token').toString('hex'));
  });
});
