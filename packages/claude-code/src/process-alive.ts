import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` may still be at work: it answers signals (EPERM: another user's) and is
 * not a zombie (Linux; elsewhere not told). A zombie has exited but not been reaped: a hook killed
 * at its bound by a parent that then exits without waiting for it stays one until some process
 * reaps orphans, which in a container may be never.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (command) state ...`: the command may hold spaces and parentheses.
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true;
  }
}
