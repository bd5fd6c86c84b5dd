// CPU time of processes from /proc, for the benchmarks' split of a run's CPU between
// chainsmith and the simulated targets (which share the deployer's cores here).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { childPids } from "../../harness/webservers";

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString());

/**
 * utime + stime + cutime + cstime of `pid` (proc(5)) and of its live descendants, in ms:
 * finished descendants (a closed connection's sshd, its shell and `nginx -t`, retired nginx
 * workers) count in their parent's times once reaped.
 */
export function processTreeCpuMs(pid: number): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0; // Exited between listing and reading: counted in its parent's times once reaped.
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND + childPids(pid).reduce((sum, child) => sum + processTreeCpuMs(child), 0);
}

/** This process's CPU time so far, ms. */
export function ownCpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000;
}

/** Resident set size, live heap and open sockets of this process now (the heap after a full GC when node runs with --expose-gc). */
export function ownFootprint(collect = false): { rssMiB: number; heapMiB: number; sockets: number } {
  if (collect) global.gc?.();
  const sockets = fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
    } catch {
      return false;
    }
  }).length;
  const memory = process.memoryUsage();
  return { rssMiB: memory.rss / 2 ** 20, heapMiB: memory.heapUsed / 2 ** 20, sockets };
}

/** CPU time of this process's children that have ended and been reaped (cutime + cstime), ms. */
export function reapedChildrenCpuMs(): number {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The CPU of one process alone (utime + stime), ms; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU time the whole machine has been busy so far, all cores, ms (/proc/stat: user, nice,
 * system, irq, softirq, steal). Over a run, this minus the run's own processes is the load of
 * everything else: on a shared machine that is CPU the run could not have.
 */
export function machineBusyMs(): number {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}
