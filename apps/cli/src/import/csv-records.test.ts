import { describe, expect, it } from 'vitest';
import { CsvFormatError, csvToRecords } from './csv-records.js';

const now = new Date('2026-03-01T12:00:00.000Z');

describe('csvToRecords', () => {
  it('turns rows into completed or failed records with optional phase and duration', () => {
    const { records, invalid } = csvToRecords(
      'query,skill,completed,phase,duration\nrun the tests,test-runner,true,verification,42.5\nreview it,code-reviewer,no,,1m30s\nplan it,planner,,,\n',
      '/x/history.csv',
      now,
    );
    expect(invalid).toEqual([]);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      skillName: 'test-runner',
      userQuery: 'run the tests',
      status: 'completed',
      completed: true,
      workflowPhase: 'verification',
      durationSeconds: 42.5,
      sessionId: 'csv:history.csv',
      completedAt: '2026-03-01T12:00:00.000Z',
      invokedAt: '2026-03-01T11:59:17.500Z',
    });
    expect(records[1]).toMatchObject({ status: 'failed', completed: false, durationSeconds: 90, workflowPhase: null });
    expect(records[2]).toMatchObject({ status: 'completed', durationSeconds: null });
  });

  it('derives ids from content, so the same file gives the same ids and equal rows stay distinct', () => {
    const text = 'skill,query\nlinter,lint it\nlinter,lint it\n';
    const a = csvToRecords(text, 'a.csv', now).records.map((r) => r.id);
    const b = csvToRecords(text, 'b.csv', new Date()).records.map((r) => r.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(2);
  });

  it('reports each invalid row with its number, line and field, and keeps the rest', () => {
    const { records, invalid } = csvToRecords(
      'query,skill,completed,duration\nok,linter,true,1\n,linter,true,1\nq,,true,1\nq,linter,maybe,1\nq,linter,true,soon\nq,linter\n' +
        `q,${'x'.repeat(201)},true,1\n`,
      'f.csv',
      now,
    );
    expect(records).toHaveLength(1);
    expect(invalid).toEqual([
      { row: 2, line: 3, field: 'query', message: 'must not be empty' },
      { row: 3, line: 4, field: 'skill', message: 'must not be empty' },
      { row: 4, line: 5, field: 'completed', message: 'must be true or false, got "maybe"' },
      { row: 5, line: 6, field: 'duration', message: 'must be seconds (42.5) or a duration (1m30s), got "soon"' },
      { row: 6, line: 7, field: '(row)', message: 'has 2 fields, the header has 4' },
      { row: 7, line: 8, field: 'skill', message: 'must be at most 200 characters' },
    ]);
  });

  it('rejects a file without the required columns as a whole', () => {
    expect(() => csvToRecords('', 'f.csv')).toThrow(CsvFormatError);
    expect(() => csvToRecords('query,agent\nx,y\n', 'f.csv')).toThrow(/unknown column "agent"/);
    expect(() => csvToRecords('query,phase\nx,y\n', 'f.csv')).toThrow(/no "skill" column/);
  });
});
