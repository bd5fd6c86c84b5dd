// Where one deployment's time and CPU go, phase by phase: a TargetHost that passes every call
// to the real host and notes when it started and ended (wall clock and this process's CPU).
// Measured at two round-trip times, a phase's extra time over the extra RTT is its number of
// round trips (on the critical path).
import type { CommandResult, FileAttributes, FileSnapshot, TargetHost } from "../../providers/linux/hosts/target-host";
import { ownCpuMs } from "./cpu";

export const PHASES = ["desired", "connect", "read", "write", "commands", "verify", "markers"] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_WORDS: Record<Phase, string> = {
  desired: "parse the chain and key, render the files",
  connect: "SSH connection (key exchange, host key, login)",
  read: "read files, backups, markers (SFTP); dir check",
  write: "write fullchain + key atomically (SFTP)",
  commands: "config test + reload (one exec)",
  verify: "served chain right on 3 probes in a row (TLS)",
  markers: "owner markers (SFTP), close",
};

/** A moment: wall clock (performance.now()) and this process's CPU time, both in ms. */
export interface Mark {
  wall: number;
  cpu: number;
}

export const mark = (): Mark => ({ wall: performance.now(), cpu: ownCpuMs() });

export type Phases = Record<Phase, Mark>;

interface Call {
  kind: "read" | "write" | "run";
  start: Mark;
  end: Mark;
}

export class PhaseClock implements TargetHost {
  private readonly calls: Call[] = [];

  /** `started`: before the desired state; `rendered`: before the connection; `connected`: after it. */
  constructor(
    private readonly host: TargetHost,
    private readonly started: Mark,
    private readonly rendered: Mark,
    private readonly connected: Mark,
  ) {}

  get name(): string {
    return this.host.name;
  }

  run(command: string, stdin?: Buffer | string): Promise<CommandResult> {
    return this.noted("run", () => this.host.run(command, stdin));
  }

  readFiles(paths: string[]): Promise<(FileSnapshot | undefined)[]> {
    return this.noted("read", () => this.host.readFiles(paths));
  }

  writeFileAtomic(path: string, content: Buffer, attributes: FileAttributes): Promise<void> {
    return this.noted("write", () => this.host.writeFileAtomic(path, content, attributes));
  }

  writeLink(path: string, target: string): Promise<void> {
    return this.host.writeLink(path, target);
  }

  removeFile(path: string): Promise<void> {
    return this.host.removeFile(path);
  }

  close(): void {
    this.host.close();
  }

  /** How long each phase of a deployment that ended at `ended` took, in wall clock and CPU. */
  phases(ended: Mark): Phases {
    // A command before the first write is the safe-directory check, beside the reads.
    const firstWrite = this.calls.find((c) => c.kind === "write");
    const run = firstWrite && this.calls.find((c) => c.kind === "run" && c.start.wall >= firstWrite.start.wall);
    const last = (calls: Call[], otherwise: Mark) => calls.reduce((latest, c) => (c.end.wall > latest.wall ? c.end : latest), otherwise);
    const readEnd = last(this.calls.filter((c) => c.kind === "read" || (c.kind === "run" && (!firstWrite || c.start.wall < firstWrite.start.wall))), this.connected);
    const writeEnd = last(this.calls.filter((c) => c.kind === "write" && (!run || c.start.wall < run.start.wall)), readEnd);
    const runEnd = run ? run.end : writeEnd;
    const markers = this.calls.filter((c) => c.kind === "write" && run && c.start.wall >= run.end.wall);
    const verifyEnd = markers.length ? markers.reduce((first, c) => (c.start.wall < first.wall ? c.start : first), markers[0].start) : ended;
    const span = (from: Mark, to: Mark): Mark => ({ wall: to.wall - from.wall, cpu: to.cpu - from.cpu });
    return {
      desired: span(this.started, this.rendered),
      connect: span(this.rendered, this.connected),
      read: span(this.connected, readEnd),
      write: span(readEnd, writeEnd),
      commands: span(writeEnd, runEnd),
      verify: span(runEnd, verifyEnd),
      markers: span(verifyEnd, ended),
    };
  }

  private async noted<T>(kind: Call["kind"], work: () => Promise<T>): Promise<T> {
    const call = { kind, start: mark(), end: mark() };
    this.calls.push(call);
    try {
      return await work();
    } finally {
      call.end = mark();
    }
  }
}
