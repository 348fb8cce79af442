import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MountAllowlistError } from './mount-errors.ts';

/** A host directory under which extra mounts may be requested. */
export interface AllowedRoot {
  /** Absolute, or starting with `~/` (expanded to the home directory at check time). */
  readonly path: string;
  /** Whether mounts under this root may be read-write; otherwise they are read-only. */
  readonly allowReadWrite: boolean;
  readonly description?: string;
}

/** The operator's mount allowlist, as read from its JSON file. */
export interface MountAllowlist {
  readonly allowedRoots: readonly AllowedRoot[];
  /** Patterns from the file, applied in addition to {@link DEFAULT_BLOCKED_PATTERNS}. */
  readonly blockedPatterns: readonly string[];
}

/**
 * Path-component patterns that are always refused, whatever the file says. See
 * `findBlockedPattern` for the matching rule (substring of any component, ignoring case).
 */
export const DEFAULT_BLOCKED_PATTERNS: readonly string[] = Object.freeze([
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.gcloud',
  '.kube',
  '.docker',
  '.env',
  '.netrc',
  '.npmrc',
  'id_rsa',
  'id_ed25519',
  'credentials',
  'private_key',
]);

const NON_EMPTY = 'must be a non-empty string';

const allowedRootSchema = z.strictObject(
  {
    path: z
      .string({ error: NON_EMPTY })
      .min(1, NON_EMPTY)
      .refine((path) => path.startsWith('/') || path === '~' || path.startsWith('~/'), {
        error: (issue) => `${JSON.stringify(issue.input)} must be absolute or start with "~/"`,
      }),
    allowReadWrite: z.boolean({ error: 'must be true or false' }),
    description: z.string({ error: 'must be a string' }).optional(),
  },
  { error: 'is not an object' },
);

const blockedPatternSchema = z
  .string({ error: NON_EMPTY })
  .min(1, NON_EMPTY)
  .refine((pattern) => !pattern.includes('/'), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} contains "/"; patterns match single path components`,
  });

/** Unknown keys are errors: a misspelt `blockedPatterns` must not silently block nothing. */
const allowlistSchema = z.strictObject(
  {
    allowedRoots: z.array(allowedRootSchema, { error: 'must be an array' }),
    blockedPatterns: z
      .array(blockedPatternSchema, { error: 'must be an array of strings' })
      .nullish()
      .transform((patterns) => patterns ?? []),
  },
  { error: 'the top level is not an object' },
);

/**
 * One problem in words: a top-level key is quoted (`"allowedRoots" must be an array`), a
 * nested value named by its path (`allowedRoots[0].path must be a non-empty string`).
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  const [first, ...rest] = issue.path;
  let at = first === undefined ? '' : rest.length === 0 ? JSON.stringify(first) : String(first);
  for (const key of rest) at += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  if (issue.code === 'unrecognized_keys') {
    const unknown = `unknown key ${JSON.stringify(issue.keys[0])}`;
    return at === '' ? unknown : `${at} has ${unknown}`;
  }
  return at === '' ? issue.message : `${at} ${issue.message}`;
}

/**
 * Validates the parsed JSON of an allowlist file; `file` only names it in errors.
 * @throws MountAllowlistError naming the first problem found.
 */
export function parseMountAllowlist(file: string, json: unknown): MountAllowlist {
  const parsed = allowlistSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MountAllowlistError(file, issue ? describeIssue(issue) : 'it has the wrong shape', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Reads and validates the mount allowlist at `file`. Root paths are kept as written
 * (`~` is expanded and symlinks resolved by `checkMounts`, at check time).
 * @returns null when the file does not exist: extra mounts are then disabled.
 * @throws MountAllowlistError when the file cannot be read, is not JSON or has the wrong shape.
 */
export async function loadMountAllowlist(file: string): Promise<MountAllowlist | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MountAllowlistError(file, `cannot be read (${(error as Error).message})`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MountAllowlistError(file, `not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseMountAllowlist(file, json);
}
