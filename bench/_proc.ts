/** CPU time of processes from /proc (Linux), for benchmarks that count a server's CPU beside their own. */
import { readFileSync, readdirSync } from 'node:fs';

/** The fields of /proc/PID/stat after the command name (state is [0], ppid [1], utime [11], stime [12]). */
const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');

/**
 * CPU milliseconds (user + system, 100 Hz ticks) of the processes of the cluster whose postmaster is `postmaster`
 * (backends, autovacuum, WAL writer): other clusters on the machine are not counted. A process that exits in
 * between (an autovacuum worker) takes its CPU with it, so this is a lower bound.
 */
export function clusterCpuMs(postmaster: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const f = stat(pid);
      if (pid === postmaster || f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10;
}

/** CPU milliseconds (user + system, 100 Hz ticks) one process has used so far, all its threads. */
export function processCpuMs(pid: number): number {
  const f = stat(String(pid));
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** The postmaster of a PostgreSQL backend (its parent process). */
export function postmasterOf(backendPid: number): string {
  return stat(String(backendPid))[1]!;
}

/** The machine's CPU time counters (all cores) from /proc/stat: total and stolen by the hypervisor. */
export function machineCpuTicks(): { total: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}

/** The share of the machine's CPU time the hypervisor stole between two readings (a VM's noise floor). */
export function stealShare(a: { total: number; steal: number }, b: { total: number; steal: number }): number {
  const total = b.total - a.total;
  return total > 0 ? (b.steal - a.steal) / total : 0;
}

/** CPU milliseconds of a process split into its main thread and all its other threads (pools, GC, DuckDB). */
export function threadCpuMs(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * 10;
      if (tid === String(pid)) main += ms;
      else others += ms;
    } catch {
      // the thread ended meanwhile
    }
  }
  return { main, others };
}
