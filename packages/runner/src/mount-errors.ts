import { GridBotError } from '@gridbot/core';

/** The mount allowlist file exists but cannot be read, is not JSON, or has the wrong shape. */
export class MountAllowlistError extends GridBotError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `Mount allowlist ${file} is invalid: ${problem}. Expected {"allowedRoots": [{"path": "/abs/dir", "allowReadWrite": false, "description"?: "..."}], "blockedPatterns"?: ["name"]}; fix or delete the file (no file means no extra mounts).`,
      options,
    );
    this.name = 'MountAllowlistError';
    this.file = file;
  }
}

/** A requested extra mount did not pass the allowlist; `reason` says why and how to fix it. */
export class MountRefusedError extends GridBotError {
  /** The host path as requested (before `~` expansion and symlink resolution). */
  readonly hostPath: string;
  readonly reason: string;
  constructor(hostPath: string, reason: string, options?: { cause?: unknown }) {
    super(`Mount of ${JSON.stringify(hostPath)} refused: ${reason}`, options);
    this.name = 'MountRefusedError';
    this.hostPath = hostPath;
    this.reason = reason;
  }
}

/** A thread workspace folder name is not a safe single path component. */
export class InvalidFolderNameError extends GridBotError {
  readonly folderName: string;
  constructor(folderName: string) {
    super(
      `Invalid folder name ${JSON.stringify(folderName)}: use 1 to 64 letters, digits, "_" or "-", starting with a letter or digit (e.g. "team-chat_2").`,
    );
    this.name = 'InvalidFolderNameError';
    this.folderName = folderName;
  }
}

/**
 * A thread's workspace takes more disk than the operator's cap, so no agent starts for it.
 * Nothing is deleted: an operator frees space in it or raises the cap.
 */
export class WorkspaceFullError extends GridBotError {
  readonly maxBytes: number;
  /** At least this much (the count stops once past the cap). */
  readonly usedBytes: number;
  constructor(maxBytes: number, usedBytes: number) {
    const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
    super(
      `this chat's workspace takes more than ${mb(maxBytes)} MB of disk, the cap (AGENT_WORKSPACE_MAX_MB). Nothing was deleted and your messages are kept: an operator can free space in the workspace or raise the cap, and the next message is answered.`,
    );
    this.name = 'WorkspaceFullError';
    this.maxBytes = maxBytes;
    this.usedBytes = usedBytes;
  }
}
