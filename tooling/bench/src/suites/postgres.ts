import { SkillsMcpClient } from '@skills/mcp-client';
import { seededRandom, type Logger, type Settings, type StoreEngine } from '@skills/protocol';
import { openPostgresStore, postgresEngine } from '@skills/store-postgres';
import { sqliteEngine } from '@skills/store-sqlite';
import { createSkillsTracker, Dashboard, loadSettings, SkillsService } from '@skills/tracker';
import { tempFolder } from '../fs.js';
import type { BenchPlan } from '../plan.js';
import { workloadSource } from '../query-sources.js';
import { startServer } from '../server-process.js';
import { collectGarbage, percentiles, repeatedRate, yieldToEventLoop, type Percentiles, type RepeatedRate } from '../stats.js';
import { CompactWorkload, finishedRecords, recommendationQueries, Workload } from '../workload.js';
import { recordingLogger, secondsToTrackAndClose } from './direct.js';
import { acquirePostgres, type BenchPostgres, type PostgresSettings } from './postgres-cluster.js';
import { rawPostgresRate, type RawPostgresWay } from './postgres-raw.js';

/** The engines a host registers to track into PostgreSQL (SQLite stays the default for plain paths). */
const ENGINES: readonly StoreEngine[] = [sqliteEngine, postgresEngine];
const HOST_YIELD_EVERY = 1_000;
/** The host waits for the server's acknowledgement this often (as the MCP suite does), so nothing overflows to the spool. */
const FLUSH_EVERY = 5_000;
/** Finished invocations per applyBatch when filling a store for recommendations. */
const FILL_BATCH = 5_000;

/** Raw `pg` writes of the same rows measured right before and after a figure: its limits. */
export interface RawPostgresLimits {
  /** One COPY per batch into the table without foreign keys: what a row costs at best. */
  readonly copy: RepeatedRate;
  /** The store's multi-row INSERT per batch, same table. */
  readonly insert: RepeatedRate;
  /** The same INSERT with the foreign keys kept (once, after). */
  readonly insertWithForeignKeys?: number;
}

export interface PostgresSizeResults {
  readonly invocations: number;
  readonly error?: string;
  readonly distinctQueries?: number;
  /** Filling the store: applyBatch of finished records, {@link FILL_BATCH} per transaction, per second. */
  readonly fillPerSecond?: number;
  /** Open a store whose vectors are not stored yet and answer once (embeds every distinct query). */
  readonly firstOpenSeconds?: number;
  /** Open it again (vectors stored) and answer once. */
  readonly readySeconds?: number;
  /** ms per recommendation of a query never seen (embedded in the call), lexical embedder. */
  readonly freshMillis?: Percentiles;
  /** The dashboard's overview computed cold on a freshly opened service (largest size only). */
  readonly dashboardOverviewMillis?: number;
}

/** The PostgreSQL column: measured on a server, or why not. */
export type PostgresResults =
  | { readonly skipped: string }
  | {
      /** The PostgreSQL server measured on, and its settings that decide what a write costs. */
      readonly database: { readonly origin: string; readonly settings: PostgresSettings };
      /** Through the direct tracker into PostgreSQL: from the first call until close() resolved, all stored. */
      readonly direct: ReadonlyArray<{ readonly invocations: number; readonly perSecond: RepeatedRate; readonly raw?: RawPostgresLimits }>;
      /** Through `skills serve --db postgres://...` (the mcp tracker's batches), counted on the server. */
      readonly server: { readonly invocations: number; readonly perSecond: RepeatedRate; readonly raw: RawPostgresLimits };
      readonly sizes: readonly PostgresSizeResults[];
      readonly workload: string;
      readonly problems: readonly string[];
    };

/** Sizes from which the raw limits are measured beside the tracker (below, fixed costs dominate both). */
const RAW_FROM = 300;

/** The raw limits at `size`: COPY and INSERT `before` the figure is measured and again after (`after`). */
async function rawLimits(server: BenchPostgres, size: number, items: CompactWorkload, measure: () => Promise<void>): Promise<RawPostgresLimits> {
  const ways: RawPostgresWay[] = ['copy', 'insert'];
  const before = [];
  for (const way of ways) before.push(await rawPostgresRate(server, way, size, items));
  await measure();
  const after = [];
  for (const way of ways) after.push(await rawPostgresRate(server, way, size, items));
  const insertWithForeignKeys = await rawPostgresRate(server, 'insert-fk', size, items);
  return { copy: repeatedRate([before[0]!, after[0]!]), insert: repeatedRate([before[1]!, after[1]!]), insertWithForeignKeys };
}

/** Invocations per second through the direct tracker into a fresh database, every one of them stored and finished. */
async function directRate(server: BenchPostgres, size: number, items: CompactWorkload, logger: Logger): Promise<number> {
  const url = await server.createDatabase();
  const folder = tempFolder();
  try {
    const tracker = await createSkillsTracker({
      backend: 'direct',
      dbUrl: url,
      engines: ENGINES,
      cwd: folder.path,
      env: {},
      sessionId: 'bench-session',
      logger,
      embedder: 'lexical',
    });
    const seconds = await secondsToTrackAndClose(tracker, size, items);
    await expectStored(url, size, `direct tracker (${tracker.health().failures} write failures)`);
    return size / seconds;
  } finally {
    folder.remove();
    await server.dropDatabase(url);
  }
}

/** Throws unless the database holds `size` finished invocations. */
async function expectStored(url: string, size: number, what: string): Promise<void> {
  const store = await openPostgresStore({ url, maxConnections: 1 });
  try {
    const finished = (await store.countInvocations({ status: 'completed' })) + (await store.countInvocations({ status: 'failed' }));
    if (finished !== size) throw new Error(`PostgreSQL, ${what}: ${finished} of ${size} invocations are stored and finished`);
  } finally {
    await store.close();
  }
}

/** Invocations per second through a server on PostgreSQL, from the first call until the tracker closed, counted on the server. */
async function serverRates(server: BenchPostgres, plan: BenchPlan, items: CompactWorkload, logger: ReturnType<typeof recordingLogger>): Promise<number[]> {
  const url = await server.createDatabase();
  const folder = tempFolder();
  const serve = await startServer(url, folder.path);
  try {
    const client = await SkillsMcpClient.connect({ url: serve.url, timeoutMs: 10_000, clientName: 'skills-bench' });
    const rates = [];
    const size = plan.postgres.serverSize;
    try {
      for (let rep = 0; rep < plan.postgres.serverRepetitions; rep++) {
        const before = (await client.healthCheck()).database.invocations ?? 0;
        const tracker = await createSkillsTracker({
          backend: 'mcp',
          mcpServerUrl: serve.url,
          mcpTimeoutMs: 10_000,
          dbPath: folder.file(`client-${rep}.db`),
          cwd: folder.path,
          env: {},
          sessionId: `bench-postgres-${rep}`,
          logger,
        });
        collectGarbage();
        const start = performance.now();
        for (let i = 0; i < size; i++) {
          tracker.trackInvocation(items.input(i % items.count))!(items.result(i % items.count));
          if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await tracker.flush();
          else if (i % HOST_YIELD_EVERY === HOST_YIELD_EVERY - 1) await yieldToEventLoop();
        }
        await tracker.close();
        const seconds = (performance.now() - start) / 1000;
        const after = (await client.healthCheck()).database.invocations ?? 0;
        const backend = tracker.getBackend();
        if (backend.kind !== 'mcp' || after - before !== size) {
          throw new Error(
            `PostgreSQL server throughput: the server holds ${after - before} of ${size} invocations (backend ${backend.kind}` +
              `${backend.fallback ? `, fell back: ${backend.fallback.reason}` : ''}; ${logger.problems.join('; ')})`,
          );
        }
        rates.push(size / seconds);
      }
    } finally {
      await client.close();
    }
    return rates;
  } finally {
    await serve.stop();
    folder.remove();
    await server.dropDatabase(url);
  }
}

function serviceSettings(url: string, folder: string): Settings {
  return loadSettings({ cwd: folder, env: {}, overrides: { backend: 'direct', dbUrl: url, embedder: 'lexical' } }).settings;
}

/** Fills a fresh database with `count` finished invocations of the workload (as the recommend suite fills its SQLite files). */
async function fill(url: string, count: number): Promise<{ perSecond: number; distinctQueries: number }> {
  const store = await openPostgresStore({ url });
  const stream = new Workload({ seed: 31 });
  const rand = seededRandom(37);
  const end = Date.now();
  let seconds = 0;
  try {
    for (let first = 0; first < count; first += FILL_BATCH) {
      const records = finishedRecords(
        Array.from({ length: Math.min(FILL_BATCH, count - first) }, () => stream.next()),
        first,
        count,
        end,
        rand,
      );
      const t0 = performance.now();
      await store.applyBatch({ inserts: records });
      seconds += (performance.now() - t0) / 1000;
    }
  } finally {
    await store.close();
  }
  return { perSecond: count / seconds, distinctQueries: stream.distinctQueries };
}

/** Opens a service on the store and answers once: seconds until it has. */
async function openAndAnswer(settings: Settings, folder: string, logger: Logger): Promise<{ seconds: number; service: SkillsService }> {
  collectGarbage();
  const t0 = performance.now();
  const service = await SkillsService.open({ settings, cwd: folder, logger, engines: ENGINES });
  await service.recommend({ userQuery: 'warm the code paths up' });
  return { seconds: (performance.now() - t0) / 1000, service };
}

/** Recommendations, time to ready and (when `dashboard`) the overview on a store of `size` invocations. */
async function measureSize(server: BenchPostgres, plan: BenchPlan, size: number, dashboard: boolean, logger: Logger, log: (line: string) => void): Promise<PostgresSizeResults> {
  const url = await server.createDatabase();
  const folder = tempFolder();
  try {
    log(`postgres: filling a database with ${size.toLocaleString('en-US')} invocations`);
    const filled = await fill(url, size);
    log(`postgres: ${size.toLocaleString('en-US')} invocations, recommendations`);
    const settings = serviceSettings(url, folder.path);
    const first = await openAndAnswer(settings, folder.path, logger);
    await first.service.close();
    const ready = await openAndAnswer(settings, folder.path, logger);
    let freshMillis: Percentiles;
    try {
      const queries = recommendationQueries(plan.postgres.queries + plan.postgres.warmup, 202);
      const samples: number[] = [];
      for (let i = 0; i < queries.length; i++) {
        const t0 = performance.now();
        await ready.service.recommend({ userQuery: queries[i]!, limit: 5 });
        if (i >= plan.postgres.warmup) samples.push(performance.now() - t0);
      }
      freshMillis = percentiles(samples);
    } finally {
      await ready.service.close();
    }
    let dashboardOverviewMillis: number | undefined;
    if (dashboard) {
      log(`postgres: ${size.toLocaleString('en-US')} invocations, dashboard overview`);
      const service = await SkillsService.open({ settings, cwd: folder.path, logger, engines: ENGINES });
      try {
        collectGarbage();
        const t0 = performance.now();
        await Dashboard.of(service).overview('day');
        dashboardOverviewMillis = performance.now() - t0;
      } finally {
        await service.close();
      }
    }
    return {
      invocations: size,
      distinctQueries: filled.distinctQueries,
      fillPerSecond: filled.perSecond,
      firstOpenSeconds: first.seconds,
      readySeconds: ready.seconds,
      freshMillis,
      ...(dashboardOverviewMillis === undefined ? {} : { dashboardOverviewMillis }),
    };
  } finally {
    folder.remove();
    await server.dropDatabase(url);
  }
}

/**
 * The PostgreSQL column: invocations per second through the direct tracker and through a server
 * on PostgreSQL, each beside raw `pg` writes of the same rows (COPY and the store's INSERT), then
 * recommendations, time to ready and the dashboard's overview on filled stores. On the server
 * {@link acquirePostgres} gives, or skipped saying why.
 */
export async function runPostgres(plan: BenchPlan, log: (line: string) => void): Promise<PostgresResults> {
  const server = await acquirePostgres();
  if ('skipped' in server) {
    log(`postgres: SKIPPED: ${server.skipped}`);
    return { skipped: server.skipped };
  }
  try {
    log(`postgres: on ${server.origin}: PostgreSQL ${server.settings.version}, fsync ${server.settings.fsync}, synchronous_commit ${server.settings.synchronousCommit}`);
    const logger = recordingLogger();
    const largest = Math.max(...plan.postgres.throughputSizes, plan.postgres.serverSize);
    const items = new CompactWorkload(largest, { seed: 11 });
    const direct = [];
    for (const size of plan.postgres.throughputSizes) {
      const reps = plan.postgres.throughputRepetitions(size);
      log(`postgres: ${size.toLocaleString('en-US')} invocations through the direct tracker, ${reps} repetitions, raw COPY and INSERT before and after`);
      // One untimed run first: the first write pays for loading the code paths.
      await directRate(server, Math.min(size, 1_000), items, logger);
      const rates: number[] = [];
      const measure = async () => {
        for (let rep = 0; rep < reps; rep++) rates.push(await directRate(server, size, items, logger));
      };
      if (size >= RAW_FROM) {
        const raw = await rawLimits(server, size, items, measure);
        direct.push({ invocations: size, perSecond: repeatedRate(rates), raw });
      } else {
        await measure();
        direct.push({ invocations: size, perSecond: repeatedRate(rates) });
      }
    }
    const serverSize = plan.postgres.serverSize;
    log(`postgres: ${serverSize.toLocaleString('en-US')} invocations through skills serve --db postgres://..., ${plan.postgres.serverRepetitions} repetitions`);
    let serverRateList: number[] = [];
    const serverRaw = await rawLimits(server, serverSize, items, async () => {
      serverRateList = await serverRates(server, plan, items, logger);
    });
    const sizes: PostgresSizeResults[] = [];
    const biggest = Math.max(...plan.postgres.recommendSizes);
    for (const size of plan.postgres.recommendSizes) {
      try {
        sizes.push(await measureSize(server, plan, size, size === biggest, logger, log));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`postgres: ${size.toLocaleString('en-US')} invocations FAILED: ${message}`);
        sizes.push({ invocations: size, error: message });
      }
    }
    return {
      database: { origin: server.origin, settings: server.settings },
      direct,
      server: { invocations: serverSize, perSecond: repeatedRate(serverRateList), raw: serverRaw },
      sizes,
      workload: workloadSource().source.description,
      problems: logger.problems,
    };
  } finally {
    await server.close();
  }
}
