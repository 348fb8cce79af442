import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';

/** A 400 whose message tells the caller what to fix. */
export function badRequest(message: string): HTTPException {
  return new HTTPException(400, { message });
}

/** An integer query or path parameter within bounds, or a 400 naming it. */
export function intQuery(
  raw: string | undefined,
  options: { fallback?: number; min: number; max: number; name: string },
): number {
  if (raw === undefined || raw === '') {
    if (options.fallback !== undefined) return options.fallback;
    throw badRequest(`${options.name} is required`);
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < options.min || value > options.max) {
    throw badRequest(
      `${options.name} must be an integer from ${options.min} to ${options.max}, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A JSON body checked with a schema, or a 400 listing each problem. */
export async function jsonBody<S extends z.ZodType>(
  request: { json: () => Promise<unknown> },
  schema: S,
): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    throw badRequest('the body must be JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw badRequest(
      result.error.issues
        .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
        .join('; '),
    );
  }
  return result.data;
}
