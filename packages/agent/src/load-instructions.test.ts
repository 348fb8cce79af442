import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  INSTRUCTIONS_FILE_CAP,
  INSTRUCTIONS_TOTAL_CAP,
  loadInstructions,
} from './load-instructions.ts';

let workspace: string;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'gridbot-instructions-'));
});

afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('loadInstructions', () => {
  it('is empty without a global directory', async () => {
    await expect(loadInstructions(workspace)).resolves.toBe('');
  });

  it('joins the markdown files of global/ in name order, under their names', async () => {
    await mkdir(join(workspace, 'global'));
    await writeFile(join(workspace, 'global', 'b-style.md'), 'Be brief.\n');
    await writeFile(join(workspace, 'global', 'a-team.md'), 'We climb on Saturdays.');
    await writeFile(join(workspace, 'global', 'notes.txt'), 'not instructions');
    await expect(loadInstructions(workspace)).resolves.toBe(
      '## a-team.md\nWe climb on Saturdays.\n\n## b-style.md\nBe brief.',
    );
  });

  it('caps each file and the total', async () => {
    await mkdir(join(workspace, 'global'));
    for (const name of ['1.md', '2.md', '3.md']) {
      await writeFile(join(workspace, 'global', name), 'z'.repeat(INSTRUCTIONS_FILE_CAP + 100));
    }
    const text = await loadInstructions(workspace);
    expect(text.match(/\[… truncated\]/g)).toHaveLength(2);
    expect(text).toContain('[… more instructions not shown: 3.md and later files]');
    expect(text.length).toBeLessThan(INSTRUCTIONS_TOTAL_CAP + 200);
  });
});
