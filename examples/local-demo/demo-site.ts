// The demo's site: the demo PKI, and N local TLS servers that serve the short chain (leaf +
// intermediate, no cross-sign), each in its own directory under the state dir. Used by
// scripts/demo.ts and the end-to-end tests.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { judgeServed, probe, profileFromFile } from "../../index";
import { makeDemoPki, type DemoPki } from "./demo-pki";
import { eventually } from "../../harness/eventually";

export interface DemoServer {
  dir: string;
  port: number;
  pid: number;
}

export interface DemoSite {
  pki: DemoPki;
  servers: DemoServer[];
  stop(): void;
}

/** Makes the PKI and starts `count` servers; returns their directories, ports and PIDs. */
export async function startSite(stateDir: string, count = 1): Promise<DemoSite> {
  const pki = makeDemoPki(path.join(stateDir, "pki"));
  const servers: DemoServer[] = [];
  for (let i = 1; i <= count; i++) servers.push(await startServer(path.join(stateDir, `server-${i}`), [pki.leaf.cert, pki.intermediate], pki.leaf.key));
  return { pki, servers, stop: () => servers.forEach(stopServer) };
}

/** Writes fullchain.pem (the given certificate files, in order) and privkey.pem into `dir`, then starts a detached tls-server.js there. */
export async function startServer(dir: string, certFiles: string[], keyFile: string, port = 0): Promise<DemoServer> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "fullchain.pem"), certFiles.map((f) => fs.readFileSync(f, "utf8")).join(""));
  fs.copyFileSync(keyFile, path.join(dir, "privkey.pem"));
  fs.chmodSync(path.join(dir, "privkey.pem"), 0o600);
  for (const f of ["server.pid", "server.port"]) fs.rmSync(path.join(dir, f), { force: true });
  const log = fs.openSync(path.join(dir, "server.log"), "a");
  const child = spawn(process.execPath, [path.join(__dirname, "tls-server.js"), dir, String(port)], { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  fs.closeSync(log);
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(path.join(dir, "server.pid"))) {
    if (Date.now() > deadline) throw new Error(`the demo TLS server in ${dir} did not start: see ${dir}/server.log`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const started = { dir, port: Number(fs.readFileSync(path.join(dir, "server.port"), "utf8")), pid: Number(fs.readFileSync(path.join(dir, "server.pid"), "utf8")) };
  if (!(started.pid > 0) || !(started.port > 0)) throw new Error(`the demo TLS server in ${dir} wrote no valid PID or port: see ${dir}/server.log`);
  return started;
}

export function stopServer(server: DemoServer): void {
  // Never signal PID 0 or below: that is a whole process group.
  if (!(server.pid > 0)) return;
  try {
    process.kill(server.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * Stops the demo servers an interrupted run left under `stateDir` (their PID files), before the
 * state that names them is removed. A PID is signalled only while it is still a tls-server.js.
 */
export function stopLeftoverServers(stateDir: string): void {
  const dirs = fs.existsSync(stateDir) ? fs.readdirSync(stateDir).filter((d) => d.startsWith("server-")) : [];
  for (const dir of dirs) {
    const pidFile = path.join(stateDir, dir, "server.pid");
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : 0;
    const command = pid > 0 && fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, "utf8") : "";
    if (command.includes("tls-server.js")) stopServer({ dir: path.join(stateDir, dir), port: 0, pid });
  }
}

/** Resolves once the server's process is gone. */
export async function waitUntilStopped(server: DemoServer): Promise<void> {
  await eventually(`process ${server.pid} stops`, () => {
    try {
      process.kill(server.pid, 0);
      return false;
    } catch {
      return true;
    }
  });
}

/** What each client profile makes of each server's chain, one line per server and profile. */
export async function verdicts(stateDir: string, servers: DemoServer[]): Promise<string[]> {
  const roots = (name: string, file: string) => profileFromFile(name, fs.readFileSync(path.join(stateDir, "pki", file)), file);
  const profiles = [roots("legacy", "legacy-root.pem"), roots("modern", "root-r46.pem")];
  const lines: string[] = [];
  for (const server of servers) {
    const served = (await probe({ host: "127.0.0.1", port: server.port })).certificates;
    lines.push(`  127.0.0.1:${server.port} serves ${served.map((c) => c.label).join(" > ")}`);
    for (const v of judgeServed(served, { profiles }).profiles) lines.push(`    ${v.profile.padEnd(7)} ${v.trusted ? "PASS" : "FAIL"}  ${v.reason}`);
  }
  return lines;
}
