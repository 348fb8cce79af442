import { readFile } from 'node:fs/promises';
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

const TOP_KEYS = new Set(['allowedRoots', 'blockedPatterns']);
const ROOT_KEYS = new Set(['path', 'allowReadWrite', 'description']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unknown keys are errors: a misspelt `blockedPatterns` must not silently block nothing. */
function unknownKey(value: Record<string, unknown>, known: Set<string>): string | undefined {
  return Object.keys(value).find((key) => !known.has(key));
}

function parseRoot(file: string, raw: unknown, index: number): AllowedRoot {
  const at = `allowedRoots[${index}]`;
  if (!isObject(raw)) throw new MountAllowlistError(file, `${at} is not an object`);
  const extra = unknownKey(raw, ROOT_KEYS);
  if (extra !== undefined) throw new MountAllowlistError(file, `${at} has unknown key "${extra}"`);
  const { path, allowReadWrite, description } = raw;
  if (typeof path !== 'string' || path === '') {
    throw new MountAllowlistError(file, `${at}.path must be a non-empty string`);
  }
  if (!(path.startsWith('/') || path === '~' || path.startsWith('~/'))) {
    throw new MountAllowlistError(
      file,
      `${at}.path ${JSON.stringify(path)} must be absolute or start with "~/"`,
    );
  }
  if (typeof allowReadWrite !== 'boolean') {
    throw new MountAllowlistError(file, `${at}.allowReadWrite must be true or false`);
  }
  if (description !== undefined && typeof description !== 'string') {
    throw new MountAllowlistError(file, `${at}.description must be a string`);
  }
  return description === undefined
    ? { path, allowReadWrite }
    : { path, allowReadWrite, description };
}

function parsePattern(file: string, raw: unknown, index: number): string {
  const at = `blockedPatterns[${index}]`;
  if (typeof raw !== 'string' || raw === '') {
    throw new MountAllowlistError(file, `${at} must be a non-empty string`);
  }
  if (raw.includes('/')) {
    throw new MountAllowlistError(
      file,
      `${at} ${JSON.stringify(raw)} contains "/"; patterns match single path components`,
    );
  }
  return raw;
}

/**
 * Validates the parsed JSON of an allowlist file; `file` only names it in errors.
 * @throws MountAllowlistError naming the first problem found.
 */
export function parseMountAllowlist(file: string, json: unknown): MountAllowlist {
  if (!isObject(json)) throw new MountAllowlistError(file, 'the top level is not an object');
  const extra = unknownKey(json, TOP_KEYS);
  if (extra !== undefined) throw new MountAllowlistError(file, `unknown key "${extra}"`);
  if (!Array.isArray(json.allowedRoots)) {
    throw new MountAllowlistError(file, '"allowedRoots" must be an array');
  }
  const patterns = json.blockedPatterns ?? [];
  if (!Array.isArray(patterns)) {
    throw new MountAllowlistError(file, '"blockedPatterns" must be an array of strings');
  }
  return {
    allowedRoots: json.allowedRoots.map((root, i) => parseRoot(file, root, i)),
    blockedPatterns: patterns.map((pattern, i) => parsePattern(file, pattern, i)),
  };
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
