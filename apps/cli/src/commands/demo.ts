import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeStore, engineFor, isStoreUrl, openStore, seededRandom, type Recommendation } from '@skills/protocol';
import { createSkillsTracker, databaseTarget } from '@skills/tracker';
import { println, type CommandContext } from '../cli/command.js';
import { cliLogger, printJson, using } from '../cli/context.js';
import { ENGINES } from '../cli/engines.js';
import { DEMO_QUESTIONS, demoHistory, drawInvocations } from '../demo/sample.js';
import { recommendationTable } from './recommend.js';

/** Where the demo writes unless `--db` says otherwise. */
export const DEMO_DB = '.skills/demo.db';
const LIVE_INVOCATIONS = 30;

export async function run(ctx: CommandContext): Promise<number> {
  const started = performance.now();
  // Only `--db` (a path or a URL) is followed: the demo never writes into the store of the settings.
  const target = databaseTarget({ dbUrl: ctx.db ?? DEMO_DB, dbPath: null }, ctx.cwd);
  const engine = engineFor(target, ENGINES);
  const location = describeStore(target, ENGINES, { cwd: ctx.cwd });

  // 1. The recorded history of past sessions, with their real durations. Fixed ids: a second
  //    run finds them stored and adds nothing.
  const history = demoHistory(Date.now());
  const seededHistory = await using(openStore(target, ENGINES, { cwd: ctx.cwd }), async (store) => {
    const result = await store.applyBatch({ inserts: history });
    return { inserted: result.inserted, duplicates: result.duplicates, total: await store.countInvocations() };
  });

  // 2. This session, tracked live through a direct tracker with the real completer.
  // Readable and unique: two runs in the same second still get two sessions.
  const sessionId = `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomBytes(2).toString('hex')}`;
  const tracker = await createSkillsTracker({
    backend: 'direct',
    enabled: true,
    dbUrl: target,
    engines: ENGINES,
    cwd: ctx.cwd,
    env: ctx.env,
    sessionId,
    logger: cliLogger(ctx),
  });
  const random = seededRandom(Date.now() >>> 0);
  const live = drawInvocations(random, LIVE_INVOCATIONS);
  let failed = 0;
  const recommendations: Array<{ query: string; phase: string | null; recommendations: Recommendation[] }> = [];
  try {
    for (const inv of live) {
      const done = tracker.trackInvocation({
        skillName: inv.skill,
        userQuery: inv.query,
        workflowPhase: inv.phase,
        ...(inv.alternatives.length > 0 ? { alternativesConsidered: inv.alternatives } : {}),
        ...(inv.rank !== null ? { selectionRank: inv.rank } : {}),
      });
      await sleep(1 + Math.floor(random() * 3)); // the "work": a few ms, timed by the completer
      if (!inv.completed) failed++;
      done?.({
        completed: inv.completed,
        ...(inv.errorType ? { errorType: inv.errorType } : {}),
        ...(inv.followUps.length > 0 ? { followUpActions: inv.followUps } : {}),
      });
    }
    await tracker.flush();

    // 3. Ask the recommender.
    for (const q of DEMO_QUESTIONS) {
      recommendations.push({
        query: q.query,
        phase: q.phase ?? null,
        recommendations: await tracker.getRecommendations({ userQuery: q.query, ...(q.phase ? { workflowPhase: q.phase } : {}), limit: 4 }),
      });
    }
  } finally {
    await tracker.close();
  }
  const health = tracker.health();
  const total = seededHistory.total + health.tracked;
  const seconds = (performance.now() - started) / 1000;

  if (ctx.json) {
    printJson(ctx, {
      database: location,
      sessionId,
      history: { records: history.length, inserted: seededHistory.inserted, alreadyStored: seededHistory.duplicates },
      live: { tracked: health.tracked, completed: health.tracked - failed, failed, failures: health.failures },
      invocations: total,
      recommendations,
      seconds,
    });
    return health.failures > 0 ? 1 : 0;
  }

  const out = ctx.io.stdout;
  const rel = isStoreUrl(target) ? '' : relative(ctx.cwd, location);
  const shown = rel && !rel.startsWith('..') ? rel : location;
  const skills = new Set(history.map((r) => r.skillName)).size;
  println(out, `skills demo: tracked a sample of agent invocations into ${shown}`);
  println(
    out,
    `  recorded history: ${history.length} invocations of ${skills} skills in 24 past sessions${seededHistory.duplicates > 0 ? ` (already stored by an earlier run)` : ''}`,
  );
  println(out, `  this session:     ${health.tracked} invocations tracked live as ${sessionId} (${health.tracked - failed} completed, ${failed} failed)`);
  for (const r of recommendations) {
    println(out);
    println(out, `Recommendations for "${r.query}"${r.phase ? ` (phase: ${r.phase})` : ''}:`);
    println(out, recommendationTable(r.recommendations));
  }
  println(out);
  println(out, `The data is in ${location} (${engine.name}, ${total} invocations). Explore it:`);
  const db = ctx.db ? ` --db ${shown}` : ` --db ${DEMO_DB}`;
  println(out, `  skills stats${db}`);
  println(out, `  skills history${db} --session ${sessionId} --limit 10`);
  println(out, `  skills recommend "fix the flaky end-to-end test"${db}`);
  println(out, `(from a clone of the repository: pnpm skills <command> ...)`);
  println(out, `Done in ${seconds.toFixed(1)} s.`);
  return health.failures > 0 ? 1 : 0;
}
