import type { TestProject } from 'vitest/node';
import { clusterUnavailableReason, startCluster, type ClusterControl } from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server the PostgreSQL tests use (a role that may create databases), or null when there is none. */
    postgresUrl: string | null;
    /** Why the PostgreSQL tests are skipped, or null when they run. */
    postgresSkipReason: string | null;
    /** The throwaway cluster's data folder and options, to restart it; null for SKILLS_TEST_POSTGRES_URL (not ours to restart). */
    postgresCluster: ClusterControl | null;
  }
}

/**
 * Once per test run: points the tests at `SKILLS_TEST_POSTGRES_URL`, or starts a throwaway cluster
 * (stopped when the run ends). Where neither can be had (or SKILLS_SKIP_POSTGRES_TESTS=1), the
 * tests are skipped and this says why.
 * A cluster that should start but does not fails the run: that is a fault, not a missing tool.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.SKILLS_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    project.provide('postgresSkipReason', null);
    project.provide('postgresCluster', null);
    return undefined;
  }
  const reason = process.env.SKILLS_SKIP_POSTGRES_TESTS === '1' ? 'SKILLS_SKIP_POSTGRES_TESTS=1 is set' : clusterUnavailableReason();
  if (reason !== null) {
    console.warn(`\nPostgreSQL tests SKIPPED: ${reason}\n`);
    project.provide('postgresUrl', null);
    project.provide('postgresSkipReason', reason);
    project.provide('postgresCluster', null);
    return undefined;
  }
  const cluster = await startCluster();
  project.provide('postgresUrl', cluster.url);
  project.provide('postgresSkipReason', null);
  project.provide('postgresCluster', cluster.control);
  return () => cluster.stop();
}
