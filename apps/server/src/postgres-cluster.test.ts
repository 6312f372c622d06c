import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { clusterUnavailableReason } from '@skills/store-contract/postgres-cluster';
import { waitFor } from '@skills/vitest-config/wait-for';
import { describe, expect, it } from 'vitest';

// The test kit's throwaway clusters (store-contract's postgres-cluster) must not outlive a test run
// that is killed before its teardown runs: two were once found still running hours later. The kit
// is exercised here, where its consumers' tests live, since store-contract has no test runner.

/** True when a TCP connection to `port` on 127.0.0.1 is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const unavailable = clusterUnavailableReason();

describe.skipIf(unavailable !== null)(`a throwaway PostgreSQL cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('stops and is removed when the process group that started it is killed with SIGKILL', async () => {
    // A group of its own, as a test run is: the kill reaches every process in it at once.
    const holder = spawn(process.execPath, [join(import.meta.dirname, 'test-support/cluster-holder.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let out = '';
    holder.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      const line = await waitFor(() => out.includes('\n') && out, { timeoutMs: 60_000, what: 'the holder to start its cluster' });
      const { port, data } = JSON.parse(line) as { port: number; data: string };
      expect(await accepts(port)).toBe(true);
      expect(existsSync(data)).toBe(true);

      process.kill(-holder.pid!, 'SIGKILL');
      await exited;
      await waitFor(async () => !(await accepts(port)) && !existsSync(data), {
        timeoutMs: 30_000,
        what: `the cluster on port ${port} to stop and ${data} to be removed`,
      });
    } finally {
      if (holder.exitCode === null && holder.signalCode === null) process.kill(-holder.pid!, 'SIGKILL');
    }
  });
});
