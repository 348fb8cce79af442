import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../tests/support/gridbot-process.ts';

const run = promisify(execFile);

it('the first-sign benchmark runs at a tiny size and writes its result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gridbot-bench-smoke-'));
  try {
    const out = join(dir, 'first-sign.json');
    await run(process.execPath, ['bench/first-sign.ts', '--messages', '2', '--out', out], {
      cwd: REPO_ROOT,
    });
    const result = JSON.parse(await readFile(out, 'utf8'));
    expect(result.messages).toBe(2);
    expect(result.typing_after_sent_ms.p50).toBeGreaterThan(0);
    expect(result.first_draft_after_first_token_ms.p50).toBeGreaterThanOrEqual(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
