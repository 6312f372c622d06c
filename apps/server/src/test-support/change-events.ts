/** The revisions of a dashboard event stream's `change` events, read one at a time. */
export interface ChangeStream {
  /** The next change's revision; rejects when none comes within `timeoutMs` (default 10 s) or the stream ends. */
  next(timeoutMs?: number): Promise<string>;
  cancel(): Promise<void>;
}

/** Reads the `change` events of a server-sent event stream (`/api/events`). */
export function changeStream(res: Response): ChangeStream {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const revisions: string[] = [];
  const read = async (): Promise<string> => {
    while (revisions.length === 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      for (const line of value.split('\n')) {
        if (line.startsWith('data:')) revisions.push((JSON.parse(line.slice(5)) as { revision: string }).revision);
      }
    }
    return revisions.shift()!;
  };
  return {
    async next(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no change event within ${timeoutMs} ms`)), timeoutMs);
      });
      const reading = read();
      // Past the deadline, the read may still fail (the stream cancelled): no one waits for it then.
      reading.catch(() => undefined);
      try {
        return await Promise.race([reading, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel: () => reader.cancel(),
  };
}
