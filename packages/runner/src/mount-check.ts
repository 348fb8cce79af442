import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentMount } from './agent-runtime.ts';
import {
  type AllowedRoot,
  DEFAULT_BLOCKED_PATTERNS,
  type MountAllowlist,
} from './mount-allowlist.ts';
import { MountRefusedError } from './mount-errors.ts';
import {
  containerPathProblem,
  EXTRA_MOUNTS_DIR,
  expandHome,
  findBlockedPattern,
  isWithin,
} from './mount-paths.ts';

/** An extra mount as a thread's config asks for it (`additional_mounts`). */
export interface RequestedMount {
  /** Absolute, or starting with `~/`. */
  hostPath: string;
  /** Relative path under `/workspace/extra/`; defaults to the host directory's name. */
  containerPath?: string;
  /** Defaults to true; false needs a root with `allowReadWrite`. */
  readOnly?: boolean;
}

export interface CheckMountsOptions {
  /** Expansion of a leading `~` in requested and root paths. Default `os.homedir()`. */
  homeDir?: string;
  /** Where the allowlist is expected; only used in refusal messages. */
  allowlistPath?: string;
}

interface ResolvedRoot {
  root: AllowedRoot;
  realPath: string;
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

/** Roots that do not exist (or are not absolute after `~` expansion) match nothing. */
async function resolveRoots(allowlist: MountAllowlist, homeDir: string): Promise<ResolvedRoot[]> {
  const resolved: ResolvedRoot[] = [];
  for (const root of allowlist.allowedRoots) {
    const expanded = expandHome(root.path, homeDir);
    if (!path.isAbsolute(expanded)) continue;
    const realPath = await realpathOrNull(expanded);
    if (realPath !== null) resolved.push({ root, realPath });
  }
  return resolved;
}

/** The deepest root containing `realPath`, so a narrower root's `allowReadWrite` wins. */
function matchingRoot(roots: ResolvedRoot[], realPath: string): ResolvedRoot | undefined {
  let best: ResolvedRoot | undefined;
  for (const candidate of roots) {
    if (!isWithin(candidate.realPath, realPath)) continue;
    if (best === undefined || candidate.realPath.length > best.realPath.length) best = candidate;
  }
  return best;
}

/**
 * Checks requested extra mounts against the operator's allowlist and returns them as
 * {@link AgentMount}s with the real (symlink-free) host path, mounted at
 * `/workspace/extra/<containerPath>`. Reads the filesystem (`realpath`), writes nothing.
 *
 * Each mount, in order, must: have an allowlist (null = extra mounts disabled); be
 * absolute after `~` expansion; exist; have a real path with no component matching a
 * blocked pattern (defaults plus the file's); lie within an allowed root's real path;
 * have a valid container path; be read-only unless its deepest matching root allows
 * read-write; not reuse another mount's container path. The real path is what is checked,
 * so a symlink to `~/.ssh` or out of a root is refused.
 *
 * Patterns guard the mounted path only, not what lies beneath it: mounting a root's
 * parent of `.ssh` is prevented only by choosing roots that do not contain secrets.
 *
 * @throws MountRefusedError for the first mount that fails, with its `hostPath` and `reason`.
 */
export async function checkMounts(
  requested: readonly RequestedMount[],
  allowlist: MountAllowlist | null,
  options: CheckMountsOptions = {},
): Promise<AgentMount[]> {
  if (requested.length === 0) return [];
  const homeDir = options.homeDir ?? os.homedir();
  const allowlistPath = options.allowlistPath ?? 'the configured location';
  if (allowlist === null) {
    throw new MountRefusedError(
      requested[0]!.hostPath,
      `no mount allowlist at ${allowlistPath} (extra mounts are disabled until an operator creates it)`,
    );
  }
  const roots = await resolveRoots(allowlist, homeDir);
  const patterns = [...DEFAULT_BLOCKED_PATTERNS, ...allowlist.blockedPatterns];
  const mounts: AgentMount[] = [];
  const byContainerPath = new Map<string, string>();

  for (const mount of requested) {
    const refuse = (reason: string, cause?: unknown): MountRefusedError =>
      new MountRefusedError(mount.hostPath, reason, cause === undefined ? undefined : { cause });

    const expanded = expandHome(mount.hostPath, homeDir);
    if (!path.isAbsolute(expanded)) {
      throw refuse('the host path must be absolute or start with "~/"');
    }
    let realPath: string;
    try {
      realPath = await realpath(expanded);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw refuse(
        code === 'ENOENT'
          ? 'the host path does not exist; create it or fix the path'
          : `the host path cannot be resolved (${code ?? String(error)})`,
        error,
      );
    }

    // Reasons may be shown in the chat: they never print the resolved path (host layout).
    const blocked = findBlockedPattern(realPath, patterns);
    if (blocked !== null) {
      throw refuse(
        `the resolved host path matches the blocked pattern ${JSON.stringify(blocked.pattern)}; such paths may hold secrets and are never mounted`,
      );
    }

    const root = matchingRoot(roots, realPath);
    if (root === undefined) {
      throw refuse(
        `the resolved host path is not under an allowed root; an operator can add one to the mount allowlist`,
      );
    }

    const relative = mount.containerPath ?? path.basename(realPath);
    const problem = containerPathProblem(relative);
    if (problem !== null) {
      throw refuse(
        `container path ${JSON.stringify(relative)} is invalid: ${problem}; use a relative path such as "docs" or "data/reports"`,
      );
    }
    const containerPath = `${EXTRA_MOUNTS_DIR}/${relative}`;

    const readOnly = mount.readOnly !== false;
    if (!readOnly && !root.root.allowReadWrite) {
      throw refuse(
        `read-write not allowed under ${root.root.path}; request readOnly: true or ask an operator to set allowReadWrite on that root`,
      );
    }

    const previous = byContainerPath.get(containerPath);
    if (previous !== undefined) {
      throw refuse(
        `container path ${containerPath} is already used by the mount of ${JSON.stringify(previous)}; give one of them a different containerPath`,
      );
    }
    byContainerPath.set(containerPath, mount.hostPath);
    mounts.push({ hostPath: realPath, requestedPath: mount.hostPath, containerPath, readOnly });
  }
  return mounts;
}
