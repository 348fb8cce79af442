import { describe, expect, it } from 'vitest';
import { renderProgressBar } from './backup.ts';

describe('renderProgressBar', () => {
  it('fills in proportion to the tables done', () => {
    expect(renderProgressBar(12, 20, 10)).toBe('[######----] 12/20 tables');
    expect(renderProgressBar(0, 20, 10)).toBe('[----------] 0/20 tables');
    expect(renderProgressBar(20, 20, 10)).toBe('[##########] 20/20 tables');
    expect(renderProgressBar(0, 0, 4)).toBe('[####] 0/0 tables');
  });
});
