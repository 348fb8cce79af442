import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes taken from one instructions file. */
export const INSTRUCTIONS_FILE_CAP = 8 * 1024;
/** Bytes of shared instructions in all. */
export const INSTRUCTIONS_TOTAL_CAP = 16 * 1024;

async function readCapped(path: string, cap: number): Promise<{ text: string; cut: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(cap + 1);
    const { bytesRead } = await handle.read(buffer, 0, cap + 1, 0);
    const cut = bytesRead > cap;
    return { text: buffer.subarray(0, Math.min(bytesRead, cap)).toString('utf8'), cut };
  } finally {
    await handle.close();
  }
}

/**
 * The shared instructions: every `*.md` file of `<workspace>/global` (mounted read-only in
 * containers), sorted by name, each under a `## name` heading, each capped at
 * {@link INSTRUCTIONS_FILE_CAP} and all together at {@link INSTRUCTIONS_TOTAL_CAP} bytes.
 * '' when the directory does not exist. An unreadable file is skipped and reported to `log`.
 */
export async function loadInstructions(
  workspace: string,
  log: (message: string) => void = () => {},
): Promise<string> {
  const dir = join(workspace, 'global');
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.name.endsWith('.md') && !entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return '';
  }
  const sections: string[] = [];
  let left = INSTRUCTIONS_TOTAL_CAP;
  for (const name of names) {
    if (left <= 0) {
      sections.push(`[… more instructions not shown: ${name} and later files]`);
      break;
    }
    try {
      const { text, cut } = await readCapped(
        join(dir, name),
        Math.min(INSTRUCTIONS_FILE_CAP, left),
      );
      left -= Buffer.byteLength(text);
      sections.push(`## ${name}\n${text.trim()}${cut ? '\n[… truncated]' : ''}`);
    } catch (error) {
      log(`could not read instructions ${name}: ${(error as Error).message}`);
    }
  }
  return sections.join('\n\n');
}
