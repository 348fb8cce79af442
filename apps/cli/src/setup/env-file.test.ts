import { describe, expect, it } from 'vitest';
import { applyEnvChanges, envValues, mask } from './env-file.ts';

describe('applyEnvChanges', () => {
  it('updates keys where they stand, removes and appends, and keeps every other line', () => {
    const before =
      '# my settings\nLOG_LEVEL=debug\nDATABASE_URL=postgres://a/b\nREDIS_URL=redis://x\n';
    const after = applyEnvChanges(before, {
      DATABASE_URL: 'postgres://c/d',
      REDIS_URL: null,
      DASHBOARD_TOKEN: 'abc def',
    });
    expect(after).toBe(
      "# my settings\nLOG_LEVEL=debug\nDATABASE_URL=postgres://c/d\nDASHBOARD_TOKEN='abc def'\n",
    );
    expect(envValues(after)).toEqual({
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgres://c/d',
      DASHBOARD_TOKEN: 'abc def',
    });
  });

  it('changes nothing when every value is already there', () => {
    const text = "A=1\nB='two words'\n";
    expect(applyEnvChanges(text, { A: '1', B: 'two words' })).toBe(text);
  });

  it('writes a value with quotes and backslashes so it reads back the same', () => {
    for (const value of ['sk-"odd"\\value', "it's #1 \\n"]) {
      expect(envValues(applyEnvChanges('', { KEY: value })).KEY).toBe(value);
    }
  });
});

describe('mask', () => {
  it('shows no more than the first four characters of a secret', () => {
    expect(mask('123456:ABCDEFGHIJKLMNOP')).toBe('1234… (23 characters)');
    expect(mask('short')).toBe('****');
  });
});
