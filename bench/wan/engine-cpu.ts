// Where the CPU of a `pulumi` command goes: the chainsmith provider plugin, the Node.js side
// (language host and program: the SDK and the component), and the engine (the Go CLI). The
// command's processes are sampled while it runs (each one's last reading counts: a process's
// CPU just before it ends is lost, under one sampling interval); the whole is what this
// process's reaped children used, so the engine's share is the rest.
import * as fs from "node:fs";
import { childPids } from "../../harness/webservers";
import { processCpuMs, reapedChildrenCpuMs } from "./cpu";

export interface EngineCpu {
  plugin: number;
  node: number;
  engine: number;
}

const SAMPLE_MS = 100;

export async function engineCpuDuring<T>(command: () => Promise<T>, pulumiBinary: string): Promise<{ result: T; cpu: EngineCpu }> {
  const lastSeen = new Map<number, { kind: "plugin" | "node"; cpu: number }>();
  const reapedBefore = reapedChildrenCpuMs();
  const sample = () => {
    for (const cli of childPids(process.pid).filter((pid) => exeOf(pid) === pulumiBinary)) {
      for (const pid of descendants(cli)) {
        const cmdline = readCmdline(pid);
        const kind = cmdline.includes("pulumi-resource-chainsmith") ? "plugin" : /\bnode\b/.test(cmdline) ? "node" : undefined;
        if (kind) lastSeen.set(pid, { kind, cpu: processCpuMs(pid) || lastSeen.get(pid)?.cpu || 0 });
      }
    }
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  try {
    const result = await command();
    const total = reapedChildrenCpuMs() - reapedBefore;
    const sum = (kind: string) => [...lastSeen.values()].filter((v) => v.kind === kind).reduce((s, v) => s + v.cpu, 0);
    const [plugin, node] = [sum("plugin"), sum("node")];
    return { result, cpu: { plugin, node, engine: Math.max(0, total - plugin - node) } };
  } finally {
    clearInterval(sampler);
  }
}

/** Every descendant: a Go program starts children from any of its threads, so every task's children count. */
function descendants(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((task) => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function exeOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}
