import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two strings are equal, in time that depends on neither their content nor their
 * lengths: both are hashed first, so a token check tells an attacker nothing about how
 * much of a guess was right, nor how long the token is.
 */
export function timingSafeEqualText(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  // The hashes compare equal only for equal inputs; the second check rules out a collision.
  return timingSafeEqual(a, b) && given === expected;
}
