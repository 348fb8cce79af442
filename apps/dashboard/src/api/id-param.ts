import { badRequest } from './params.ts';

/** A row id from the path (`/api/tasks/:id/…`): a positive integer, or a 400 naming it. */
export function idParam(raw: string | undefined, name: string): number {
  const value = /^\d{1,15}$/.test(raw ?? '') ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw badRequest(`${name} must be a positive integer, not ${JSON.stringify(raw ?? '')}`);
  }
  return value;
}
