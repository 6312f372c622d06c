import { existsSync } from 'node:fs';
import { engineFor, isStoreUrl, openStore, UnknownEngineError, type EngineStore, type StoreEngine } from '@skills/protocol';
import { CliError, UsageError } from '../cli/errors.js';

/** One side of a copy: the store named by `--from` or `--to`, and how it may be shown. */
export interface Endpoint {
  readonly option: '--from' | '--to';
  /** As given: may hold a password, never shown. */
  readonly target: string;
  readonly engine: StoreEngine;
  /** The engine's description: never a password. */
  readonly shown: string;
  /** The file it is kept in (SQLite), or null. */
  readonly file: string | null;
}

/**
 * The store `target` names, as the `option` of a copy.
 *
 * @throws {UsageError} when no engine opens it (the message names the engines, never a password).
 */
export function endpoint(option: Endpoint['option'], target: string, engines: readonly StoreEngine[], cwd: string): Endpoint {
  let engine: StoreEngine;
  try {
    engine = engineFor(target, engines);
  } catch (error) {
    if (error instanceof UnknownEngineError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
  const shown = engine.describe(target, { cwd });
  let file: string | null;
  try {
    file = engine.file?.(target, { cwd }) ?? null;
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
  return { option, target, engine, shown, file };
}

/**
 * True when both name one store: the same file, or the same database of one engine at the same
 * host and port (whoever logs in, whatever the parameters).
 */
export function sameStore(a: Endpoint, b: Endpoint): boolean {
  if (a.engine !== b.engine) return false;
  if (a.file !== null || b.file !== null) return a.file === b.file;
  return databaseKey(a.target) === databaseKey(b.target);
}

function databaseKey(target: string): string {
  if (!isStoreUrl(target)) return target;
  try {
    const url = new URL(target);
    return `${url.hostname.toLowerCase()}:${url.port}${decodeURIComponent(url.pathname)}?host=${url.searchParams.get('host') ?? ''}`;
  } catch {
    return target;
  }
}

/** @throws {CliError} when the side is a file that does not exist (reading never creates one). */
export function requireExisting(side: Endpoint): void {
  if (side.file !== null && !existsSync(side.file)) throw new CliError(`${side.option}: no database at ${side.file}`);
}

/** Opens the source for reading. @throws {CliError} naming the side and the store (never its password). */
export async function openSource(side: Endpoint, engines: readonly StoreEngine[], cwd: string): Promise<EngineStore> {
  requireExisting(side);
  return openSide(side, engines, cwd, true);
}

/** Opens (creating when needed) the target. @throws {CliError} when it cannot be reached or opened. */
export function openTarget(side: Endpoint, engines: readonly StoreEngine[], cwd: string): Promise<EngineStore> {
  return openSide(side, engines, cwd, false);
}

async function openSide(side: Endpoint, engines: readonly StoreEngine[], cwd: string, readonly: boolean): Promise<EngineStore> {
  try {
    // openStore takes the password out of any error.
    return await openStore(side.target, engines, { cwd, readonly });
  } catch (error) {
    throw new CliError(`${side.option}: cannot open ${side.shown}: ${(error as Error).message}`);
  }
}
