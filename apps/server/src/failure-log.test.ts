import { expect, it } from 'vitest';
import type { Logger } from '@skills/protocol';
import { FailureLog } from './failure-log.js';
import { ServerMetrics } from './metrics.js';

const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

it('logs a failure once, again when it changes and when it recovers, and counts the repeats', async () => {
  const lines: string[] = [];
  const logger: Logger = { debug() {}, info: (m) => void lines.push(`info ${m}`), warn() {}, error: (m) => void lines.push(`error ${m}`) };
  const metrics = new ServerMetrics();
  const log = new FailureLog(logger, metrics.repeatedFailures);

  for (let i = 0; i < 100; i++) log.failed('track_invocation', 'track_invocation', diskFull());
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error track_invocation failed: Error: database or disk is full\n\s+at /);

  // Another source has its own condition; another failure at the same source is a new one.
  log.failed('http', 'HTTP GET /api', diskFull());
  log.failed('track_invocation', 'track_invocation', Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }));
  expect(lines).toHaveLength(3);
  expect(lines[2]).toMatch(/^error track_invocation failed \(the previous failure came 99 more times, not logged\): Error: attempt to write a readonly database/);

  log.succeeded('track_invocation');
  log.succeeded('track_invocation');
  expect(lines.slice(3)).toEqual(['info track_invocation works again (failures in a row before: 1)']);
  log.failed('track_invocation', 'track_invocation', diskFull());
  expect(lines).toHaveLength(5);

  expect(await metrics.render()).toMatch(/^skills_repeated_failures_total\{source="track_invocation"\} 99$/m);
});
