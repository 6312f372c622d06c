import type { Interval, MetricsWithIntervals, StoreEvaluation, SuccessCount } from '@skills/tracker';

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(4);
const ci = (i: Interval, show: (x: number) => string = f4) => `[${show(i.low)}, ${show(i.high)}]`;
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function rankerLine(name: string, r: MetricsWithIntervals): string {
  const m = r.metrics;
  return `${name.padEnd(11)} Hit@1 ${f4(m.hitAt1)} ${ci(r.intervals.hitAt1)}  Hit@5 ${f4(m.hitAt5)} ${ci(r.intervals.hitAt5)}  MRR@5 ${f4(m.mrrAt5)} ${ci(r.intervals.mrrAt5)}`;
}

function success(s: SuccessCount): string {
  return `${pct(s.rate)} (${s.completed}/${s.finished} finished)`;
}

/** `skills eval`'s report for people. */
export function formatEvaluation(r: StoreEvaluation, database: string): string {
  const d = r.difference;
  const s = r.shown;
  return [
    `Evaluated ${r.evaluated} completed invocations with a query (of ${r.invocations}) in ${database},`,
    `in time order: each query ranked from the history before it alone. Embedder ${r.embedder}; 95% bootstrap intervals.`,
    '',
    rankerLine('similarity', r.rankers.similarity),
    rankerLine('learned', r.rankers.learned),
    `learned − similarity: Hit@1 ${signed(d.hitAt1.mean)} ${ci(d.hitAt1.interval, signed)}, Hit@5 ${signed(d.hitAt5.mean)} ${ci(d.hitAt5.interval, signed)} (paired): ` +
      (r.verdict.winner === 'learned' ? 'the learned ranker wins here' : 'no gain of the learned ranker beyond the noise here'),
    '',
    s.choices === 0
      ? 'No invocation records a choice among shown recommendations (selectionRank).'
      : `Chosen from shown recommendations: ${s.choices}; the chosen skill was ranked first in ${s.rankedFirst} (${pct(s.rankedFirstShare)}).\n` +
        `It succeeded in ${success(s.successWhenFirst)} when ranked first, ${success(s.successOtherwise)} otherwise.`,
    ...(s.ranking === null
      ? []
      : [
          '',
          `The rankings shown at the time, on the ${s.ranking.shown.metrics.queries} chosen invocations whose skill completed (${s.scored} of ${s.choices} choices kept their scores):`,
          rankerLine('shown', s.ranking.shown),
          `replayed on the same: similarity Hit@1 ${f4(s.ranking.replayed.similarity.hitAt1)}, Hit@5 ${f4(s.ranking.replayed.similarity.hitAt5)}; ` +
            `learned Hit@1 ${f4(s.ranking.replayed.learned.hitAt1)}, Hit@5 ${f4(s.ranking.replayed.learned.hitAt5)}`,
        ]),
  ].join('\n');
}
