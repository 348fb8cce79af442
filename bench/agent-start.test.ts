import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../tests/support/gridbot-process.ts';
import { TEST_AGENT_IMAGE } from '../tests/support/services.ts';

const run = promisify(execFile);

it('the agent-start benchmark runs at a tiny size and writes its result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gridbot-bench-smoke-'));
  try {
    const out = join(dir, 'agent-start.json');
    await run(
      process.execPath,
      ['bench/agent-start.ts', '--runs', '1', '--image', TEST_AGENT_IMAGE, '--out', out],
      {
        cwd: REPO_ROOT,
      },
    );
    const result = JSON.parse(await readFile(out, 'utf8'));
    for (const key of ['cold_start_through_runtime', 'warm_round_trip', 'bare_docker_run']) {
      expect(result.median_ms[key]).toBeGreaterThan(0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
