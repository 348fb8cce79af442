import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { houseViolations, importsOf } from './house-rules.ts';

function trackedSources(): Map<string, string> {
  const paths = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((path) => path && !path.includes('node_modules/'));
  return new Map(paths.map((path) => [path, readFileSync(`${REPO_ROOT}${path}`, 'utf8')]));
}

describe('the house rules', () => {
  it('hold for the whole tree', () => {
    const files = trackedSources();
    expect(files.size).toBeGreaterThan(300);
    expect(houseViolations(files)).toEqual([]);
  });

  it('catch each kind of breach', () => {
    const long = `${'// line\n'.repeat(401)}`;
    const files = new Map([
      ['packages/queue/src/store.ts', "import { sql } from 'kysely';\n"],
      ['packages/db/src/x.ts', "import { Gateway } from '@gridbot/app-gateway';\n"],
      ['packages/core/src/x.ts', "import type { Database } from '@gridbot/db';\n"],
      ['apps/dashboard/src/x.ts', "export { runGateway } from '@gridbot/app-gateway';\n"],
      ['apps/cli/src/x.ts', "const m = await import('@gridbot/app-gateway');\n"],
      ['packages/runner/src/index.ts', "export { Fake } from './testing/fake.ts';\n"],
      ['packages/runner/src/y.ts', "import { helper } from '../../agent/src/helper.ts';\n"],
      [
        'packages/runner/src/y.test.ts',
        "import { db } from '../../../tests/support/test-database.ts';\n",
      ],
      ['packages/llm/src/long.ts', long],
      ['packages/llm/src/long-ok.ts', `/** Over 400 lines: one table. */\n${long}`],
    ]);
    expect(houseViolations(files)).toEqual([
      'packages/queue/src/store.ts: queue imports storage (kysely)',
      'packages/db/src/x.ts: a package imports an app (@gridbot/app-gateway)',
      'packages/core/src/x.ts: core may import no workspace package, not @gridbot/db',
      'apps/dashboard/src/x.ts: an app imports another app (@gridbot/app-gateway); only the CLI composes',
      'packages/runner/src/index.ts: production code imports test code (./testing/fake.ts)',
      'packages/runner/src/y.ts: a relative import leaves packages/runner (../../agent/src/helper.ts)',
      'packages/llm/src/long.ts: 402 lines, and no sentence at its top says why (over 400 lines)',
    ]);
  });

  it('reads static, re-exported, side-effect and dynamic imports', () => {
    expect(
      importsOf(
        "import a from 'a';\nimport type { B } from \"b\";\nexport { c } from './c.ts';\nimport 'd';\nawait import('e');\nimport {\n  f,\n} from 'f';\n",
      ),
    ).toEqual(['a', 'b', './c.ts', 'f', 'd', 'e']);
  });
});
