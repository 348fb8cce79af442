import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A path the model asked for resolves outside the workspace, or cannot be resolved safely. */
export class WorkspacePathError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = 'WorkspacePathError';
    this.path = path;
  }
}

/** Whether `target` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The path relative to the workspace root, for messages to the model (`.` for the root). */
export function displayPath(root: string, target: string): string {
  return relative(root, target) || '.';
}

function outside(path: string, root: string): WorkspacePathError {
  return new WorkspacePathError(
    path,
    `${JSON.stringify(path)} is outside the workspace (${root}); use a path inside it, relative to it or absolute.`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Resolves a path the model gave (relative to the workspace root, or absolute inside it) to
 * a real absolute path inside the workspace, following symlinks: an existing path by its
 * realpath; a path that does not exist yet (`mustExist: false`, for writes) by the realpath
 * of its nearest existing ancestor. Throws {@link WorkspacePathError} for anything that
 * lands outside, including a symlink inside the workspace that points out of it, or a
 * dangling symlink (writing through it would create its target wherever it points).
 * `root` must already be a real path.
 */
export async function resolveWorkspacePath(
  root: string,
  path: string,
  options: { mustExist: boolean },
): Promise<string> {
  if (path.includes('\0')) throw new WorkspacePathError(path, 'A path cannot contain NUL bytes.');
  const wanted = resolve(root, path);
  if (!isInside(root, wanted)) throw outside(path, root);
  if (await exists(wanted)) {
    let real: string;
    try {
      real = await realpath(wanted);
    } catch {
      throw new WorkspacePathError(
        path,
        `${JSON.stringify(path)} is a symlink whose target does not exist; not followed.`,
      );
    }
    if (!isInside(root, real)) throw outside(path, root);
    return real;
  }
  if (options.mustExist) {
    throw new WorkspacePathError(path, `${JSON.stringify(path)} does not exist.`);
  }
  // Walk up to the nearest entry that exists; everything below it will be created fresh.
  const missing: string[] = [];
  let ancestor = wanted;
  while (!(await exists(ancestor))) {
    missing.unshift(relative(dirname(ancestor), ancestor));
    ancestor = dirname(ancestor);
  }
  let realAncestor: string;
  try {
    realAncestor = await realpath(ancestor);
  } catch {
    throw new WorkspacePathError(
      path,
      `${JSON.stringify(displayPath(root, ancestor))} is a symlink whose target does not exist; not followed.`,
    );
  }
  if (!isInside(root, realAncestor)) throw outside(path, root);
  return join(realAncestor, ...missing);
}
