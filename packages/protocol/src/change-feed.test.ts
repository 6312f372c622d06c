import { waitFor } from '@skills/vitest-config/wait-for';
import { describe, expect, it } from 'vitest';
import { ChangeListeners, isChangeFeedStore } from './change-feed.js';
import type { SkillsStore } from './store.js';

function listeners() {
  const hooks = { starts: 0, stops: 0 };
  const set = new ChangeListeners({ start: () => hooks.starts++, stop: () => hooks.stops++ });
  return { set, hooks };
}

describe('ChangeListeners', () => {
  it('starts with the first listener and stops with the last', () => {
    const { set, hooks } = listeners();
    const a = set.add(() => {});
    const b = set.add(() => {});
    expect(hooks).toEqual({ starts: 1, stops: 0 });
    a();
    a();
    expect(hooks).toEqual({ starts: 1, stops: 0 });
    b();
    expect(hooks).toEqual({ starts: 1, stops: 1 });
    expect(set.size).toBe(0);
  });

  it('folds signals into one call per listener, on a later turn, and keeps calling after a listener throws', async () => {
    const { set } = listeners();
    const calls: string[] = [];
    set.add(() => {
      calls.push('thrower');
      throw new Error('listener bug');
    });
    set.add(() => calls.push('counter'));
    set.signal();
    set.signal();
    expect(calls).toEqual([]);
    await waitFor(() => calls.length === 2, { what: 'the coalesced call' });
    set.signal();
    await waitFor(() => calls.length === 4, { what: 'the next call' });
    expect(calls).toEqual(['thrower', 'counter', 'thrower', 'counter']);
  });

  it('subscribes the same function twice as two subscriptions; clear() ends them all and drops a pending signal', async () => {
    const { set, hooks } = listeners();
    let calls = 0;
    const listener = () => calls++;
    const first = set.add(listener);
    set.add(listener);
    first();
    set.signal();
    const witness = new ChangeListeners({ start: () => {}, stop: () => {} });
    let witnessed = false;
    witness.add(() => (witnessed = true));
    witness.signal();
    await waitFor(() => witnessed, { what: 'the witness call' });
    expect(calls).toBe(1);
    set.signal();
    set.clear();
    expect(hooks.stops).toBe(1);
    witnessed = false;
    witness.signal();
    await waitFor(() => witnessed, { what: 'the witness call' });
    expect(calls).toBe(1);
  });
});

describe('isChangeFeedStore', () => {
  it('tells a store with watchChanges from one without', () => {
    expect(isChangeFeedStore({ watchChanges: () => () => {} } as unknown as SkillsStore)).toBe(true);
    expect(isChangeFeedStore({} as SkillsStore)).toBe(false);
  });
});
