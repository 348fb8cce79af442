import { realpath } from 'node:fs/promises';
import type { AgentSpec } from './agent-runtime.ts';
import { MountRefusedError } from './mount-errors.ts';

/** One host directory an agent's container binds, with the name messages give it. */
interface Source {
  hostPath: string;
  /** What the chat may be shown: the requested path or the container path, never the real one. */
  label: string;
}

function sourcesOf(spec: AgentSpec): Source[] {
  const sources: Source[] = [{ hostPath: spec.workspaceDir, label: '/workspace' }];
  if (spec.globalDir) sources.push({ hostPath: spec.globalDir, label: '/workspace/global' });
  for (const mount of spec.mounts ?? []) {
    sources.push({ hostPath: mount.hostPath, label: mount.requestedPath ?? mount.containerPath });
  }
  return sources;
}

/**
 * The spec with its workspace and global directory resolved to their real paths, so what
 * the engine binds is a path without symlinks (extra mounts are real paths already: the
 * allowlist check resolved them). A global directory that has gone is left out.
 */
export async function realMountSources(spec: AgentSpec): Promise<AgentSpec> {
  const globalDir = spec.globalDir ? await realpath(spec.globalDir).catch(() => null) : null;
  return { ...spec, workspaceDir: await realpath(spec.workspaceDir), globalDir };
}

/**
 * Checks that every host directory the spec binds is still its own real path: none of its
 * components was swapped for a symlink (or removed) since it was resolved and approved. The
 * engine follows symlinks when it binds, so a swap between the allowlist check and the
 * container's start would otherwise bind wherever the link points (`~/.ssh`, `/etc`). The
 * runtime calls this right before it creates the container and again right before it
 * starts it (the engine binds at start); what remains is the few milliseconds between this
 * check and the engine's mount, open only to whoever can write to a mount's parent on the host.
 *
 * @throws MountRefusedError naming the mount (as requested, never its resolved path).
 */
export async function verifyMountSources(spec: AgentSpec): Promise<void> {
  for (const { hostPath, label } of sourcesOf(spec)) {
    let now: string | null;
    try {
      now = await realpath(hostPath);
    } catch {
      now = null;
    }
    if (now !== hostPath) {
      throw new MountRefusedError(
        label,
        now === null
          ? 'its host directory disappeared after it was checked'
          : 'its host directory was replaced (a symlink in its path?) after it was checked, so it could point elsewhere; nothing was mounted',
      );
    }
  }
}
