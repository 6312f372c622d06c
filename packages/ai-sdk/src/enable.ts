import { registerTelemetryIntegration, type TelemetryIntegration } from 'ai';
import { SkillsTelemetry, type SkillsTelemetryOptions } from './telemetry.js';

/**
 * The one integration this package registers with the SDK (which has no way to unregister):
 * it forwards to the trackers enabled now and to disabled ones still finishing a tool call.
 * Kept on `globalThis`, like the SDK's own list, so two copies of this package register once.
 */
interface Dispatcher {
  readonly targets: Set<SkillsTelemetry>;
}

const KEY = Symbol.for('@skills/ai-sdk/dispatcher');

function dispatcher(): Dispatcher {
  const scope = globalThis as { [KEY]?: Dispatcher };
  if (scope[KEY]) return scope[KEY];
  const created: Dispatcher = { targets: new Set() };
  const forward: TelemetryIntegration = {
    onToolCallStart: (event) => {
      for (const target of created.targets) target.onToolCallStart(event);
    },
    onToolCallFinish: (event) => {
      for (const target of created.targets) {
        target.onToolCallFinish(event);
        if (!target.enabled && target.pending === 0) created.targets.delete(target);
      }
    },
  };
  registerTelemetryIntegration(forward);
  scope[KEY] = created;
  return created;
}

/**
 * Switches tracking on for every `generateText`, `streamText` and `ToolLoopAgent` run in this
 * process, through the SDK's global telemetry integration. Calling it again replaces the
 * previous tracking (so no execution is recorded twice); `disable()` on the result turns it off.
 *
 * @example
 * const tracker = await createSkillsTracker();
 * const skills = enableSkillsTracking({ tracker });
 * // ... every tool execution of every run is now an invocation ...
 * skills.disable();
 * await tracker.close();
 */
export function enableSkillsTracking(options: SkillsTelemetryOptions): SkillsTelemetry {
  const { targets } = dispatcher();
  for (const target of targets) {
    target.disable();
    if (target.pending === 0) targets.delete(target);
  }
  const telemetry = new SkillsTelemetry(options);
  targets.add(telemetry);
  return telemetry;
}
