import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A static file or folder the dashboard serves: `name` next to the running code when the
 * dashboard runs as a bundle (the bundle script copies it there), otherwise where
 * `fromSources()` finds it in the workspace.
 */
export function assetPath(name: string, fromSources: () => string): string {
  const bundled = join(import.meta.dirname, name);
  return existsSync(bundled) ? bundled : fromSources();
}
