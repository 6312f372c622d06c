import type { DurabilityPromises, StoreCheck } from './fixtures/recount.mjs';

export type { DurabilityPromises, StoreCheck };

/** How a child process ended and what it printed. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Added to the environment (SKILLS_* variables of the test's own environment are dropped). */
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

export function fixture(name: string): string;
export function tempDir(prefix?: string): string;
export function removeTempDirs(): void;
export function run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
export function runFixture(name: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
export function lastJson<T = any>(stdout: string): T;
/** Checks a store file in a fresh process (fixtures/check-store.mjs). */
export function checkStore(dbPath: string, promises?: DurabilityPromises): Promise<StoreCheck>;
/** The same check in this process: faster, for checks repeated many times. */
export function checkStoreHere(dbPath: string, promises?: DurabilityPromises): Promise<StoreCheck>;
export function runSeed(): number;
