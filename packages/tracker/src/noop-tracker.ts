import type { BackendInfo, Recommendation, SkillsTracker, TrackerHealth } from '@skills/protocol';

const BACKEND: BackendInfo = Object.freeze({ kind: 'none', requested: 'disabled' });
const HEALTH: TrackerHealth = Object.freeze({ tracked: 0, completed: 0, failures: 0, lastError: null, refusedAfterClose: 0 });
const NO_RECOMMENDATIONS: Promise<Recommendation[]> = Promise.resolve(Object.freeze([]) as unknown as Recommendation[]);
const DONE: Promise<void> = Promise.resolve();

/**
 * The tracker when tracking is disabled: every call returns a shared constant, so it does no
 * I/O and allocates nothing per call. It has nothing to close, so it answers the same after
 * `close()` (the one exception to the after-close rules of `SkillsTracker`).
 */
export class NoopTracker implements SkillsTracker {
  trackInvocation(): null {
    return null;
  }
  getRecommendations(): Promise<Recommendation[]> {
    return NO_RECOMMENDATIONS;
  }
  isEnabled(): boolean {
    return false;
  }
  getBackend(): BackendInfo {
    return BACKEND;
  }
  health(): TrackerHealth {
    return HEALTH;
  }
  flush(): Promise<void> {
    return DONE;
  }
  close(): Promise<void> {
    return DONE;
  }
}
