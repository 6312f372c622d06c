import type { InvocationStatus } from './invocation.js';

/** How a store keeps a status: one small integer instead of a word in every row (every engine alike). */
export const STATUS_CODE = Object.freeze({ pending: 0, completed: 1, failed: 2, abandoned: 3 } as const);

/** A stored status. */
export type StatusCode = (typeof STATUS_CODE)[InvocationStatus];

const STATUS_BY_CODE: readonly InvocationStatus[] = Object.freeze(['pending', 'completed', 'failed', 'abandoned']);

/** The status a stored code stands for. */
export function statusOf(code: number): InvocationStatus {
  const status = STATUS_BY_CODE[code];
  if (status === undefined) throw new Error(`unknown status code ${code}`);
  return status;
}
