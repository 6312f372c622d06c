import type { InvocationCompleter } from '@skills/protocol';

/** What the AI SDK's tool events carry to identify one execution. */
export interface ToolCallRef {
  readonly toolCallId: string;
}

interface Entry {
  readonly call: ToolCallRef;
  readonly complete: InvocationCompleter;
}

/**
 * Tool executions started and not yet finished. The SDK spreads one `toolCall` object into both
 * the start and the finish event of an execution, so the object pairs them exactly, even when
 * concurrent runs reuse a `toolCallId` (scripted models do). The id is the fallback for a finish
 * event whose `toolCall` was copied on the way (by a wrapper around the integration).
 */
export class PendingCalls {
  readonly #byCall = new WeakMap<object, Entry>();
  readonly #byId = new Map<string, Entry[]>();
  #size = 0;

  /** Executions started and not finished. */
  get size(): number {
    return this.#size;
  }

  has(call: ToolCallRef): boolean {
    return this.#byCall.has(call);
  }

  add(call: ToolCallRef, complete: InvocationCompleter): void {
    const entry = { call, complete };
    this.#byCall.set(call, entry);
    const sameId = this.#byId.get(call.toolCallId);
    if (sameId) sameId.push(entry);
    else this.#byId.set(call.toolCallId, [entry]);
    this.#size++;
  }

  /** Removes and returns the completer of the execution `call` ends: the same object, else the oldest with its id. */
  take(call: ToolCallRef): InvocationCompleter | undefined {
    const sameId = this.#byId.get(call.toolCallId);
    const entry = this.#byCall.get(call) ?? sameId?.[0];
    if (!entry) return undefined;
    this.#byCall.delete(entry.call);
    if (sameId) {
      sameId.splice(sameId.indexOf(entry), 1);
      if (sameId.length === 0) this.#byId.delete(call.toolCallId);
    }
    this.#size--;
    return entry.complete;
  }
}
