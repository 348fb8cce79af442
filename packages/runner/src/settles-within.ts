import pTimeout from 'p-timeout';

/** Resolves true if `promise` settles (either way) within `ms`, false otherwise; leaves no timer behind. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(
    () => true,
    () => true,
  );
  return pTimeout(settled, { milliseconds: ms, fallback: () => false });
}
