// The PostgreSQL column of `pnpm bench`: its rendering beside the raw limits and SQLite, the
// reason it gives when there is no server, and the suite itself at tiny sizes on a real server.
import { describe, expect, it } from 'vitest';
import { TINY } from './plan.js';
import { checkTargets, markdown, postgresChecks, postgresSection, type BenchReport, type BenchResults } from './report.js';
import { runBench } from './run.js';
import { freePort } from './server-process.js';
import { repeatedRate } from './stats.js';
import { acquirePostgres } from './suites/postgres-cluster.js';
import type { PostgresResults } from './suites/postgres.js';

const fresh = { p50: 4, p95: 8, p99: 12, mean: 5, samples: 200 };

const MEASURED: PostgresResults = {
  database: {
    origin: 'a throwaway cluster',
    settings: { version: '15.18', fsync: 'off', synchronousCommit: 'off', fullPageWrites: 'off', sharedBuffers: '128MB' },
  },
  direct: [
    {
      invocations: 1_000_000,
      perSecond: repeatedRate([12_000, 10_000, 14_000]),
      raw: { copy: repeatedRate([60_000, 40_000]), insert: repeatedRate([30_000, 20_000]), insertWithForeignKeys: 10_000 },
    },
  ],
  server: {
    invocations: 100_000,
    perSecond: repeatedRate([5_000, 5_000]),
    raw: { copy: repeatedRate([50_000, 50_000]), insert: repeatedRate([25_000, 25_000]), insertWithForeignKeys: 9_000 },
  },
  sizes: [
    { invocations: 100_000, distinctQueries: 20_000, fillPerSecond: 9_000, firstOpenSeconds: 3, readySeconds: 1.5, freshMillis: fresh },
    { invocations: 1_000_000, distinctQueries: 200_000, fillPerSecond: 8_000, firstOpenSeconds: 30, readySeconds: 6, freshMillis: fresh, dashboardOverviewMillis: 400 },
  ],
  workload: 'generated text',
  problems: [],
};

/** SQLite's figures of the same run, as far as the PostgreSQL column reads them. */
const SQLITE = {
  direct: { throughput: [{ invocations: 1_000_000, perSecond: repeatedRate([50_000]) }] },
  mcp: { throughput: { invocations: 100_000, perSecond: repeatedRate([20_000]) } },
  recommend: {
    sizes: [{ invocations: 1_000_000, embedders: [{ embedder: 'lexical/1', readySeconds: 3, freshMillis: { ...fresh, p50: 2 } }], dashboardMillis: { overview: 200, skill: 50 } }],
  },
} as unknown as BenchResults;

function report(results: BenchResults): BenchReport {
  return {
    tool: '@skills/bench',
    mode: 'quick',
    date: '2026-12-06T00:00:00.000Z',
    durationSeconds: 1,
    machine: { platform: 'linux', release: '6', arch: 'x64', cpus: 2, cpuModel: 'cpu', memoryBytes: 2 ** 30, loadAverage: [0.5, 0.5, 0.5] },
    node: process.version,
    load: [],
    busyWarning: null,
    workload: { queries: 'generated text', missing: null },
    results,
    targets: checkTargets(results),
    errors: [],
  };
}

describe('the PostgreSQL column', () => {
  it('shows each write beside raw COPY, INSERT and INSERT with foreign keys, and SQLite of the same run', () => {
    const lines = postgresSection(MEASURED, { ...SQLITE, postgres: MEASURED });
    expect(lines[0]).toMatch(/^\*\*PostgreSQL\*\* on a throwaway cluster: PostgreSQL 15\.18, fsync off, .*\(fsync off: a crash of the machine may lose or corrupt data; /);
    expect(lines).toContain('| direct tracker, 1,000,000 invocations | 12,000 (10,000 – 14,000) | 50,000 / 25,000 / 10,000 | 0.24× | 50,000 |');
    expect(lines).toContain('| server (`skills serve --db postgres://...`, mcp tracker), 100,000 invocations | 5,000 (5,000 – 5,000) | 50,000 / 25,000 / 9,000 | 0.10× | 20,000 |');
    // SQLite in brackets at the size it was measured at too; none where it was not.
    expect(lines).toContain('| 100,000 | 20,000 | 9,000 | 3.00 s | 1.50 s | 4.00 / 12.0 | – |');
    expect(lines).toContain('| 1,000,000 | 200,000 | 8,000 | 30.0 s | 6.00 s (3.00 s) | 4.00 / 12.0 (2.00 p50) | 400 ms (200 ms) |');
  });

  it('checks the 50,000 per second aim, the ratio to COPY, and the SQLite targets at 100k and 1M', () => {
    const rows = new Map(postgresChecks({ ...SQLITE, postgres: MEASURED }).map((t) => [t.id, t]));
    expect(rows.get('postgres-direct-throughput')).toMatchObject({ measured: 12_000, met: false, vsLimit: 0.24, vsLimitMet: false, limit: { measured: 50_000 }, min: 10_000, max: 14_000 });
    expect(rows.get('postgres-direct-throughput')?.note).toBe('1,000,000 invocations; SQLite, same run: 50,000');
    expect(rows.get('postgres-server-throughput')).toMatchObject({ measured: 5_000, met: false, vsLimit: 0.1 });
    expect(rows.get('postgres-recommend-100000')).toMatchObject({ measured: 4, target: 'p50 under 10 ms', met: true });
    expect(rows.get('postgres-recommend-1000000')).toMatchObject({ measured: 4, met: true, vsLimit: 2, limit: { what: 'SQLite, same size and run (a peer): p50' } });
    expect(rows.get('postgres-ready-1000000')).toMatchObject({ measured: 6, met: false, vsLimit: 2 });
    expect(rows.get('postgres-dashboard-1000000')).toMatchObject({ measured: 400, met: true, vsLimit: 2 });
    expect(rows.has('postgres-dashboard-100000')).toBe(false);
  });

  it('says why it has no figures when no PostgreSQL server could be had', () => {
    const reason = 'PostgreSQL 15 is not installed (no /usr/lib/postgresql/15/bin/initdb): run `node scripts/ensure-postgres.mjs` or set SKILLS_BENCH_POSTGRES_URL';
    const table = markdown(report({ postgres: { skipped: reason } }));
    expect(table).toContain(`**PostgreSQL**: not measured: ${reason}.`);
    expect(table).toContain(`PostgreSQL: invocations per second through the direct tracker (all stored after close()) (skipped: ${reason})`);
    expect(postgresChecks({ postgres: { skipped: reason } }).map((t) => [t.id, t.measured])).toEqual([
      ['postgres-direct-throughput', null],
      ['postgres-server-throughput', null],
    ]);
  });

  it('refuses a SKILLS_BENCH_POSTGRES_URL it cannot reach, naming the server without its password', async () => {
    const port = await freePort();
    const url = `postgres://bench:hunter2-secret@127.0.0.1:${port}/skills?connect_timeout=5`;
    const failure = await acquirePostgres({ SKILLS_BENCH_POSTGRES_URL: url }).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(new RegExp(`^PostgreSQL at postgres://bench@127\\.0\\.0\\.1:${port}/skills\\?connect_timeout=5: .*ECONNREFUSED`));
    expect(failure?.message).not.toContain('hunter2');
  });

  it('measures writes, recommendations and the dashboard on a real server at tiny sizes, or says why not', async () => {
    const bench = await runBench({ plan: TINY, only: ['postgres'] });
    expect(bench.errors).toEqual([]);
    const p = bench.results.postgres!;
    if ('skipped' in p) {
      // Only where this machine has no PostgreSQL 15: the reason names what is missing.
      expect(p.skipped).toMatch(/PostgreSQL 15 is not installed|runuser/);
      expect(markdown(bench)).toContain(`**PostgreSQL**: not measured: ${p.skipped}.`);
      return;
    }
    expect(p.direct.map((d) => d.invocations)).toEqual(TINY.postgres.throughputSizes);
    expect(p.direct[0]?.perSecond.median).toBeGreaterThan(0);
    expect(p.direct[0]?.raw?.copy.repetitions).toHaveLength(2);
    expect(p.direct[0]?.raw?.insertWithForeignKeys).toBeGreaterThan(0);
    expect(p.server.perSecond.repetitions).toHaveLength(TINY.postgres.serverRepetitions);
    expect(p.sizes).toMatchObject([{ invocations: 300, freshMillis: { samples: TINY.postgres.queries } }]);
    expect(p.sizes[0]?.readySeconds).toBeGreaterThan(0);
    expect(p.sizes[0]?.dashboardOverviewMillis).toBeGreaterThan(0);
    expect(p.problems).toEqual([]);
    expect(markdown(bench)).toMatch(/\| direct tracker, 300 invocations \| [\d,]+ \([\d,]+ – [\d,]+\) \| [\d,]+ \/ [\d,]+ \/ [\d,]+ \| [\d.]+× \| – \|/);
  }, 300_000);
});
