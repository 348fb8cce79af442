import { GridBotError } from '@gridbot/core';

/** A plugin named in `PLUGINS` could not be loaded or built: the gateway does not start. */
export class PluginLoadError extends GridBotError {
  /** The `PLUGINS` entry (a built-in name, a package name or a path). */
  readonly entry: string;
  constructor(entry: string, message: string, options?: { cause?: unknown }) {
    super(`Plugin ${JSON.stringify(entry)} (PLUGINS): ${message}`, options);
    this.name = 'PluginLoadError';
    this.entry = entry;
  }
}
