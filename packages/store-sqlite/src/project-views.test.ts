import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { openSqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

/** A full garbage collection, from inside the test's own process. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

it('a view its caller dropped is collected: project names made up by a caller do not pile up in the store', async () => {
  const store = await openSqliteStore({ path: tmp.path('views.db') });
  const refs: WeakRef<object>[] = [];
  // A function per view: once it returned, no frame of the test's holds the view.
  const use = async (project: string) => {
    const view = store.forProject(project);
    expect(await view.countInvocations()).toBe(0);
    refs.push(new WeakRef(view));
  };
  for (let i = 0; i < 50; i++) await use(`made-up-${i}`);
  // A WeakRef keeps its target until the task that made it has ended.
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  expect(refs.filter((ref) => ref.deref() !== undefined).length).toBe(0);
  // The store and a new view of a name seen before still work.
  expect(await store.forProject('made-up-0').countInvocations()).toBe(0);
  await store.close();
});
