import { redactSecrets, type SkillsService } from '@skills/tracker';
import { handleHookEvent, type HookOutput } from './handle-hook-event.js';
import { readHookSettings, withHookSettingsQuery } from './hook-settings.js';
import { FileSessionStates } from './session-state.js';

/** What a server needs to answer Claude Code's HTTP hooks. */
export interface HookEndpointOptions {
  /** The server's service: its store, its warm recommender. */
  readonly service: Pick<SkillsService, 'apply' | 'recommend' | 'invalidate' | 'store' | 'settings'>;
  /** Where session state lives: the server's `hooksDir`. */
  readonly stateDir: string;
  /** `SKILLS_HOOK_*` settings; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where ignored events and failures go (the server's log). */
  readonly log: (message: string) => void;
}

/**
 * The core of an HTTP hook endpoint (Claude Code's `"type": "http"` hooks POST the same JSON as
 * the command reads): returns a function that takes one parsed request body, and the request's
 * query, and resolves to the JSON to answer, or null for an empty 2xx answer. Never rejects.
 * The query may set the hook settings for that request (`?recommend=off`, `phase`, `tools`: see
 * `HOOK_QUERY_PARAMETERS`), over the server's own `SKILLS_HOOK_*`; a bad value is logged and the
 * server's setting used. The server pays no process start per tool call, and recommends from its
 * warm recommender.
 *
 * @example
 * const answer = createHookEndpoint({ service, stateDir: hooksDir(service.settings, cwd), log: logger.warn });
 * const output = await answer(JSON.parse(body), new URL(req.url, 'http://server').searchParams);
 * output ? res.end(JSON.stringify(output)) : res.end();
 */
export function createHookEndpoint(options: HookEndpointOptions): (body: unknown, query?: URLSearchParams) => Promise<HookOutput | null> {
  const env = options.env ?? process.env;
  const base = readHookSettings(env);
  for (const problem of base.problems) options.log(problem);
  const sessions = new FileSessionStates(options.stateDir);
  const { service } = options;
  return (body, query) => {
    let settings = base.settings;
    if (query && query.size > 0) {
      const asked = readHookSettings(withHookSettingsQuery(env, query));
      for (const problem of asked.problems) options.log(`query: ${problem}`);
      settings = asked.settings;
    }
    return handleHookEvent(body, {
      settings,
      sessions,
      log: options.log,
      ...(service.settings.redactSecrets ? { redact: redactSecrets } : {}),
      recommend: (q) => service.recommend(q),
      async write(writes) {
        if (writes.inserts?.length || writes.completions?.length) await service.apply({ inserts: writes.inserts, completions: writes.completions });
        if (writes.abandon?.length) {
          await service.store.markAbandoned({ ids: writes.abandon });
          service.invalidate();
        }
      },
    });
  };
}
