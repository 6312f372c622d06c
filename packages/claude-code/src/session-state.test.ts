import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FileSessionStates } from './session-state.js';

const fresh = () => new FileSessionStates(mkdtempSync(join(tmpdir(), 'skills-hook-state-')));
const sessionDir = (states: FileSessionStates) => join(states.dir, 'sessions', readdirSync(join(states.dir, 'sessions'))[0]!);

it('keeps a prompt and open invocations per session', () => {
  const states = fresh();
  const prompt = { promptId: 'p1', query: 'lint', recommendations: [{ skillName: 'linter', score: 0.7 }] };
  states.writePrompt('s1', prompt);
  states.open('s1', { id: 'a', invokedAt: '2026-12-06T10:00:00.000Z', main: true });
  states.open('s1', { id: 'b', invokedAt: '2026-12-06T10:00:01.000Z', main: false });
  expect(states.readPrompt('s1')).toEqual(prompt);
  expect(states.readPrompt('s2')).toBeNull();
  expect(states.getOpen('s1', 'b')).toEqual({ id: 'b', invokedAt: '2026-12-06T10:00:01.000Z', main: false });
  states.close('s1', ['a', 'never-opened']);
  expect(states.listOpen('s1').map((o) => o.id)).toEqual(['b']);
  expect(states.listOpen('s2')).toEqual([]);
  // Only the final files remain: every temporary was renamed into place.
  expect(readdirSync(sessionDir(states)).sort()).toEqual(['open', 'prompt.json']);
});

it('a damaged file counts as absent instead of failing the hook', () => {
  const states = fresh();
  states.writePrompt('s1', { promptId: null, query: 'q', recommendations: [] });
  states.open('s1', { id: 'a', invokedAt: '2026-12-06T10:00:00.000Z', main: true });
  writeFileSync(join(sessionDir(states), 'prompt.json'), '{"promptId": nu');
  writeFileSync(join(sessionDir(states), 'open', 'a.json'), '[]');
  expect(states.readPrompt('s1')).toBeNull();
  expect(states.listOpen('s1')).toEqual([]);
});

it('ending a session removes it, and sessions untouched for a week', () => {
  const states = fresh();
  states.writePrompt('old', { promptId: null, query: 'old', recommendations: [] });
  const weekAgo = (Date.now() - 8 * 24 * 60 * 60 * 1000) / 1000;
  utimesSync(sessionDir(states), weekAgo, weekAgo); // the only session so far
  for (const s of ['current', 'ending']) states.writePrompt(s, { promptId: null, query: s, recommendations: [] });
  states.end('ending');
  expect(states.readPrompt('ending')).toBeNull();
  expect(states.readPrompt('old')).toBeNull();
  expect(states.readPrompt('current')).not.toBeNull();
});
