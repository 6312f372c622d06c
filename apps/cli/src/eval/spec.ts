import type { CommandSpec } from '../cli/command.js';

/** `skills eval`: the rankers measured on the team's own history. */
export const EVAL_COMMAND: CommandSpec = {
  name: 'eval',
  summary: "measure both rankers on this store's own history, offline, in time order",
  usage: '[--json]',
  description:
    'Replays the invocations in time order into a temporary store: before each invocation with a query\n' +
    'that completed, the similarity and the learned ranker rank that query from the history before it\n' +
    'alone, and the skill that was chosen and succeeded is the answer. Prints Hit@1, Hit@5 and MRR@5\n' +
    'with bootstrap 95% intervals, the paired difference, and what the stored recommendations say:\n' +
    'how often the chosen skill had been shown first, and how often it then succeeded.\n' +
    'The store is only read. Long runs draw a progress bar on stderr (when it is a terminal).',
  options: {},
  positionals: { min: 0, max: 0, names: [] },
  json: true,
  project: true,
  examples: ['skills eval', 'skills eval --db .skills/skills.db --json'],
  load: () => import('../commands/eval.js'),
};
