// The deployment flow on one Linux host: keep what is there, write every file atomically,
// test the configuration, reload, then poll the served chain until clients get exactly the
// desired chain. Any failure puts the previous files back, reloads again and says which
// command failed with its stderr (secrets redacted).
import type { DesiredState } from "./desired-state";
import { compareServed } from "../../chain/served-comparison";
import { describeServedDifference } from "../../chain/served-comparison-text";
import type { Endpoint } from "../../probe/endpoint";
import { untilSteady } from "../../probe/until-steady";
import { LinuxDeployError, type DeployStep } from "./errors";
import { readServedChain, type LiveEndpoint } from "./live-state";
import type { FilePlan } from "./presets";
import { redact } from "../redact";
import { ServerStepsScript, type ServerStep, type StepCommand } from "./server-steps";
import { assertSafeDirectories } from "./hosts/safe-directories";
import { shellQuote } from "./hosts/shell";
import type { FileSnapshot, TargetHost } from "./hosts/target-host";

/** What a path held before chainsmith first wrote it: a copy kept at `<path>.chainsmith.bak`, or nothing. */
export type Original = "backup" | "absent";

export interface DeployOptions {
  /** TLS endpoints that must serve the chain after the reload. */
  endpoints: Endpoint[];
  /** How long to wait for the endpoints to serve the new chain; default 30 000 ms. */
  verifyTimeoutMs?: number;
  /** Paths already managed by an earlier deployment, with their originals (from the state). */
  originals?: Record<string, Original>;
  /** Who deploys: recorded beside each file, so that another resource's delete leaves them alone. */
  owner: string;
}

export interface DeployResult {
  files: { path: string; role: string; sha256: string; mode: number }[];
  originals: Record<string, Original>;
  served: LiveEndpoint[];
}

export const BACKUP_SUFFIX = ".chainsmith.bak";
/** Beside each deployed file: the owner id of the chainsmith resource that deployed it last. */
export const OWNER_SUFFIX = ".chainsmith.owner";

export async function deploy(host: TargetHost, desired: DesiredState, plan: FilePlan, options: DeployOptions): Promise<DeployResult> {
  // The files, their backups and owner markers, in one call; beside it, the check that no other user can write where they go.
  const paths = desired.files.map((f) => f.path);
  const [snapshots] = await Promise.all([host.readFiles([...paths, ...paths.map((p) => p + BACKUP_SUFFIX), ...paths.map((p) => p + OWNER_SUFFIX)]), assertSafeDirectories(host, paths)]);
  const previous = new Map(paths.map((path, i) => [path, snapshots[i]]));
  const backedUp = new Set(paths.filter((_path, i) => snapshots[paths.length + i] !== undefined));
  const marker = Buffer.from(`${options.owner}\n`);
  const ownedAlready = new Set(paths.filter((_path, i) => {
    const snapshot = snapshots[2 * paths.length + i];
    return snapshot !== undefined && markerText(snapshot) === options.owner;
  }));
  const originals = await keepOriginals(host, previous, backedUp, options.originals ?? {});
  const failed = (step: DeployStep, message: string, command?: string, stderr?: string) => restoreAndFail(host, desired, plan, previous, { step, message, command, stderr });

  try {
    await Promise.all(desired.files.map((file) => host.writeFileAtomic(file.path, file.content, { mode: file.mode, owner: file.owner, group: file.group })));
  } catch (error) {
    return failed("write", `writing the files failed: ${(error as Error).message}`);
  }
  const steps = serverSteps(plan);
  if (steps.length > 0) {
    const script = new ServerStepsScript(steps);
    const result = await host.run(script.command);
    if (result.code !== 0) {
      const { step, stderr, marked } = script.failure(result.stderr, result.timedOut);
      const failing = marked ? steps.filter((s) => s.step === step) : steps;
      const command = failing.map((s) => s.command).join("; ");
      return failed(step, `${failing.map((s) => STEP_NAMES[s.step]).join(" and ")} "${command}" failed (exit ${result.code})`, command, stderr);
    }
  }
  const served = await waitForServedChain(desired, options.endpoints, options.verifyTimeoutMs ?? 30_000);
  const wrong = served.flatMap((e) => {
    const why = e.served ? describeServedDifference(compareServed(desired.chain, e.served)) : e.error;
    return why ? [`${e.endpoint}: ${why}`] : [];
  });
  if (wrong.length > 0) return failed("verify", `after the reload the endpoints did not serve the new chain within ${options.verifyTimeoutMs ?? 30_000} ms: ${wrong.join("; ")}`);
  // Only a deployment that succeeded takes the files over from whoever deployed them before
  // (a marker that names this owner already stays: three round trips fewer per file).
  await Promise.all(paths.filter((path) => !ownedAlready.has(path)).map((path) => host.writeFileAtomic(path + OWNER_SUFFIX, marker, { mode: 0o644 })));
  return {
    files: desired.files.map((f) => ({ path: f.path, role: f.role, sha256: f.sha256, mode: f.mode })),
    originals,
    served,
  };
}

const STEP_NAMES: Record<ServerStep, string> = { "config-test": "the config test", reload: "the reload" };

function serverSteps(plan: FilePlan): StepCommand[] {
  const steps: StepCommand[] = [];
  if (plan.configTest) steps.push({ step: "config-test", command: plan.configTest });
  if (plan.reload) steps.push({ step: "reload", command: plan.reload });
  return steps;
}

/**
 * Puts back what was there before chainsmith first wrote each path (delete with
 * onDelete "restore"), then reloads when the configuration still passes its test. A path
 * that another chainsmith resource deployed since (a renamed or replaced target) is left to
 * it, with its backup. Returns what it did, for the log.
 */
export async function restoreOriginals(host: TargetHost, originals: Record<string, Original>, plan: Pick<FilePlan, "configTest" | "reload">, owner: string | undefined): Promise<string[]> {
  const notes: string[] = [];
  const paths = Object.keys(originals);
  const [markers] = await Promise.all([host.readFiles(paths.map((path) => path + OWNER_SUFFIX)), assertSafeDirectories(host, paths, "skip")]);
  const ownedByOthers = new Set(paths.filter((_path, i) => markers[i] !== undefined && markerText(markers[i]!) !== owner));
  for (const path of ownedByOthers) notes.push(`${path} left in place: another chainsmith resource deploys it now`);
  const mine = Object.entries(originals).filter(([path]) => !ownedByOthers.has(path));
  if (mine.length === 0) return notes;
  for (const [path, original] of mine) {
    // The backup may be a link (certbot's live/ files), perhaps dangling: -L as well as -e; mv moves the link itself.
    const backup = shellQuote(path + BACKUP_SUFFIX);
    const command = original === "backup" ? `if [ -e ${backup} ] || [ -L ${backup} ]; then mv -f -T -- ${backup} ${shellQuote(path)}; fi` : `rm -f -- ${shellQuote(path)}`;
    const result = await host.run(command);
    if (result.code !== 0) throw new LinuxDeployError("restore", host.name, `cannot restore ${path}: ${result.stderr.trim()}`, command, result.stderr);
    await host.removeFile(path + OWNER_SUFFIX);
    notes.push(original === "backup" ? `${path} restored from ${path}${BACKUP_SUFFIX}` : `${path} removed (it did not exist before)`);
  }
  const test = plan.configTest ? await host.run(plan.configTest) : undefined;
  if (test && test.code !== 0) {
    notes.push(`not reloaded: "${plan.configTest}" fails with the restored files (${test.stderr.trim()}); the server keeps serving until its configuration is fixed`);
  } else if (plan.reload) {
    const reload = await host.run(plan.reload);
    notes.push(reload.code === 0 ? `reloaded with "${plan.reload}"` : `"${plan.reload}" failed: ${reload.stderr.trim()}`);
  }
  return notes;
}

// The first time chainsmith writes a path, the file there is kept at <path>.chainsmith.bak,
// so that delete can put it back. An existing backup is older still: keep it.
async function keepOriginals(
  host: TargetHost,
  previous: Map<string, FileSnapshot | undefined>,
  backedUp: Set<string>,
  known: Record<string, Original>,
): Promise<Record<string, Original>> {
  const originals: Record<string, Original> = {};
  for (const [path, snapshot] of previous) {
    if (known[path]) {
      originals[path] = known[path];
    } else if (!snapshot) {
      originals[path] = "absent";
    } else {
      if (!backedUp.has(path)) await putBack(host, path + BACKUP_SUFFIX, snapshot);
      originals[path] = "backup";
    }
  }
  return originals;
}

/** Probes every endpoint until all serve the desired chain on consecutive probes, or the time is up. */
async function waitForServedChain(desired: DesiredState, endpoints: Endpoint[], timeoutMs: number): Promise<LiveEndpoint[]> {
  if (endpoints.length === 0) return [];
  const read = (remainingMs: number) => Promise.all(endpoints.map((e) => readServedChain(e, Math.min(5000, Math.max(200, remainingMs)))));
  const isRight = (served: LiveEndpoint[]) => served.every((e) => e.served && compareServed(desired.chain, e.served).code === "same");
  return (await untilSteady(read, isRight, { timeoutMs })).value;
}

interface Failure {
  step: DeployStep;
  message: string;
  command?: string;
  stderr?: string;
}

async function restoreAndFail(host: TargetHost, desired: DesiredState, plan: FilePlan, previous: Map<string, FileSnapshot | undefined>, failure: Failure): Promise<never> {
  const problems: string[] = [];
  for (const [path, snapshot] of previous) {
    try {
      if (snapshot) await putBack(host, path, snapshot);
      else await host.removeFile(path);
    } catch (error) {
      problems.push(`could not restore ${path}: ${(error as Error).message}`);
    }
  }
  // Only a reload that ran (or may have half-run) needs undoing; after a failed config test the server never saw the new files.
  const reloaded = failure.step === "reload" || failure.step === "verify";
  if (plan.reload && reloaded) {
    const reload = await host.run(plan.reload).catch((error: Error) => ({ code: -1, stderr: error.message }));
    if (reload.code !== 0) problems.push(`reloading with the previous files failed too: "${plan.reload}": ${reload.stderr.trim()}`);
  }
  const stderr = failure.stderr !== undefined ? redact(failure.stderr.trim(), desired.secrets) : undefined;
  const outcome = problems.length === 0 ? "The previous files are back in place" + (plan.reload && reloaded ? " and the server was reloaded with them." : "; the server was not reloaded.") : `Restoring failed: ${problems.join("; ")}.`;
  const message = redact(`${failure.message}${stderr ? `: ${stderr}` : ""}. ${outcome}`, desired.secrets);
  throw new LinuxDeployError(failure.step, host.name, message, failure.command, stderr);
}

/** Writes what a snapshot held at `path`: the same link, or the same file with its mode and owner. */
function putBack(host: TargetHost, path: string, snapshot: FileSnapshot): Promise<void> {
  if (snapshot.kind === "link") return host.writeLink(path, snapshot.target);
  return host.writeFileAtomic(path, snapshot.content, { mode: snapshot.mode, owner: String(snapshot.uid), group: String(snapshot.gid) });
}

function markerText(marker: FileSnapshot): string {
  return marker.kind === "file" ? marker.content.toString("utf8").trim() : "";
}
