import path from 'node:path';
import { InvalidFolderNameError } from './mount-errors.ts';

/** Where extra mounts appear inside the agent's filesystem. */
export const EXTRA_MOUNTS_DIR = '/workspace/extra';

const CONTAINER_COMPONENT = /^[A-Za-z0-9._-]+$/;
const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Replaces a leading `~` (alone or followed by `/`) with `homeDir`; `~user` is left as is. */
export function expandHome(p: string, homeDir: string): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/')) return path.join(homeDir, p.slice(2));
  return p;
}

/**
 * The first pattern that matches `hostPath`, or null. A pattern matches when any path
 * component contains it as a substring, ignoring case (so `.env` blocks `.env.production`,
 * `credentials` blocks `my_credentials.json`). Case is ignored because some host
 * filesystems (macOS) are case-insensitive, where `.SSH` is the same directory as `.ssh`.
 */
export function findBlockedPattern(
  hostPath: string,
  patterns: readonly string[],
): { pattern: string; component: string } | null {
  const components = hostPath.split(path.sep).filter((c) => c !== '');
  for (const component of components) {
    const lower = component.toLowerCase();
    for (const pattern of patterns) {
      if (lower.includes(pattern.toLowerCase())) return { pattern, component };
    }
  }
  return null;
}

/** True when `child` is `parent` or lies beneath it (both absolute and already resolved). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Checks a container path relative to {@link EXTRA_MOUNTS_DIR}: `/`-separated components
 * of `[A-Za-z0-9._-]`, none of them `.` or `..`, no leading or doubled `/`. Returns the
 * problem, or null when valid.
 */
export function containerPathProblem(relative: string): string | null {
  if (relative.startsWith('/')) return 'it must be relative (no leading "/")';
  for (const component of relative.split('/')) {
    if (component === '') return 'it has an empty component (doubled or trailing "/")';
    if (component === '.' || component === '..') return `it contains a "${component}" component`;
    if (!CONTAINER_COMPONENT.test(component)) {
      return `component ${JSON.stringify(component)} has characters other than letters, digits, ".", "_" and "-"`;
    }
  }
  return null;
}

/**
 * Returns `name` when it is a valid thread workspace folder name (1–64 characters of
 * letters, digits, `_`, `-`, starting with a letter or digit), else throws
 * {@link InvalidFolderNameError}. Such a name cannot escape its parent directory.
 */
export function validateFolderName(name: string): string {
  if (!FOLDER_NAME.test(name)) throw new InvalidFolderNameError(name);
  return name;
}
