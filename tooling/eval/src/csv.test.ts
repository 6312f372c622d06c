import { describe, expect, it } from 'vitest';
import { readLabelledCsv } from './csv.js';

describe('readLabelledCsv', () => {
  it('finds the columns by header, in any order', () => {
    expect(readLabelledCsv('skill,extra,query\nbuilder,1,fix the build\n')).toEqual([{ query: 'fix the build', skill: 'builder' }]);
  });

  it('takes the first two columns without a header, and skips incomplete rows', () => {
    expect(readLabelledCsv('fix the build,builder\n,empty\nno skill,\n  run tests ,  tester \n')).toEqual([
      { query: 'fix the build', skill: 'builder' },
      { query: 'run tests', skill: 'tester' },
    ]);
  });
});
