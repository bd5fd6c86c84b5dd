import type { ChildProcess } from "node:child_process";

/**
 * Ends a server started as a child: SIGTERM, then SIGKILL if it is still there after `graceMs`.
 * A server caught mid graceful restart (lighttpd after SIGUSR1) can miss the SIGTERM, and a
 * stop that waits for ever hangs the test that only wanted to clean up.
 */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    console.error(`${child.spawnfile} (pid ${child.pid}) did not exit within ${graceMs} ms of SIGTERM: killed`);
    child.kill("SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
