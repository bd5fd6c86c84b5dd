/**
 * After an apply: ask Windows which chain it builds, read what IIS serves from the wire,
 * and climb the ladder (flush chain caches -> recreate the binding -> iisreset -> restart
 * the HTTP service; the last two only when allowed, since they restart every site or every
 * http.sys user) until the served chain is the desired one or the ladder ends. iisreset
 * restarts IIS, not http.sys or Schannel's credential cache, so it comes after rebinding.
 * A self-signed root sent after the desired chain is tolerated (IIS may send the root) and
 * reported. Every rung is recorded; when none works, the error says what Windows builds,
 * what IIS serves, and what to try next.
 */
import { Certificate } from "../../chain/certificate";
import { untilSteady } from "../../probe/until-steady";
import { AgentTransport, resultOf } from "./agent-invocation";
import { windowsLabel } from "./certificate-facts";
import { ApplyReport, ChainReport, Step } from "./contract";
import { WindowsTargetError } from "./errors";

export type RungName = "as applied" | "flush chain caches" | "recreate binding" | "iisreset" | "restart HTTP service";

export interface LadderRung {
  rung: RungName;
  /** What X509Chain.Build gives in machine context, leaf first (labels). */
  windowsBuilds: string[];
  /** What the endpoint sent, wire order (labels). */
  served: string[];
  matches: boolean;
  /** A self-signed root the server sent after the desired chain (label); clients ignore it. */
  sentRoot?: string;
}

/** Reads the certificates an endpoint serves, in wire order. */
export type ServedChainReader = () => Promise<Certificate[]>;

export interface LadderInput {
  transport: AgentTransport;
  desired: readonly Certificate[];
  bindingStep: Extract<Step, { kind: "replaceBinding" }>;
  readServed: ServedChainReader;
  /** Allow iisreset (restarts every IIS site). */
  allowIisreset?: boolean;
  /** Allow restarting the HTTP service (restarts IIS, WinRM and every other http.sys user). */
  allowHttpServiceRestart?: boolean;
  /** Labels of certificates the program knows, by SHA-256, for the chain Windows reports. */
  labels?: ReadonlyMap<string, string>;
}

const RUNG_PATIENCE_MS = 1500;

export async function climbLadder(input: LadderInput): Promise<LadderRung[]> {
  const { transport, desired, bindingStep } = input;
  const rungs: Array<{ rung: RungName; steps: Step[] }> = [
    { rung: "as applied", steps: [] },
    { rung: "flush chain caches", steps: [{ kind: "flushChainCaches" }] },
    { rung: "recreate binding", steps: [bindingStep] },
    ...(input.allowIisreset ? [{ rung: "iisreset" as const, steps: [{ kind: "iisreset" as const }] }] : []),
    ...(input.allowHttpServiceRestart ? [{ rung: "restart HTTP service" as const, steps: [{ kind: "restartHttpService" as const }] }] : []),
  ];
  const labels = new Map([...(input.labels ?? []), ...desired.map((c) => [c.sha256, c.label] as const)]);
  const climbed: LadderRung[] = [];
  for (const { rung, steps } of rungs) {
    if (steps.length > 0) resultOf<ApplyReport>(await transport.run({ verb: "apply", steps }), transport.where, []);
    const report = resultOf<ChainReport>(await transport.run({ verb: "chain", thumbprint: bindingStep.certificateHash }), transport.where, []);
    const windowsBuilds = report.elements.map((e) => labels.get(e.sha256) ?? windowsLabel(e.subject, e.sha256));
    // http.sys applies a binding at once, but give each rung a moment before climbing further.
    const { value: served, steady: matches } = await untilSteady(() => input.readServed(), (chain) => servedMatches(desired, chain).matches, { timeoutMs: RUNG_PATIENCE_MS, inRow: 2 });
    const { sentRoot } = servedMatches(desired, served);
    climbed.push({ rung, windowsBuilds, served: served.map((c) => c.label), matches, ...(matches && sentRoot ? { sentRoot: sentRoot.label } : {}) });
    if (matches) return climbed;
  }
  throw ladderFailed(transport.where, desired, climbed, input);
}

/** The served chain is the desired one, maybe followed by a self-signed root (which IIS may send). */
export function servedMatches(desired: readonly Certificate[], served: readonly Certificate[]): { matches: boolean; sentRoot?: Certificate } {
  const same = (chain: readonly Certificate[]) => chain.length === desired.length && chain.every((c, i) => c.sha256 === desired[i].sha256);
  if (same(served)) return { matches: true };
  const last = served[served.length - 1];
  if (last && last.selfSigned && same(served.slice(0, -1))) return { matches: true, sentRoot: last };
  return { matches: false };
}

function ladderFailed(where: string, desired: readonly Certificate[], rungs: LadderRung[], input: LadderInput): WindowsTargetError {
  const last = rungs[rungs.length - 1];
  const desiredLabels = desired.map((c) => c.label);
  const windowsAgrees = desiredLabels.every((label, i) => last.windowsBuilds[i] === label);
  const next = [
    ...(input.allowHttpServiceRestart ? [] : ["allow the HTTP service restart (allowHttpServiceRestart: it restarts IIS, WinRM and every other http.sys user)"]),
    "reboot the host",
  ].join(", or ");
  const cause = windowsAgrees
    ? `Windows itself (machine context) builds the desired chain, but http.sys still serves another one: Schannel's credential cache survived. Next: ${next}. ` +
      "The SYSTEM account's own CA and Root stores, which Schannel reads and a machine-context chain does not, may also hold another issuer: run an inventory and look at SYSTEM:CA and SYSTEM:Root."
    : `Windows itself builds ${last.windowsBuilds.join(" > ")}: the stores do not lead to the desired chain (a Group Policy or automatic root update may have put a root back). Run an inventory and look at Root, AuthRoot and Disallowed.`;
  return new WindowsTargetError(
    "served-chain-mismatch",
    `${where}: after ${rungs.map((r) => r.rung).join(", ")}, IIS serves ${last.served.join(" > ") || "nothing"} instead of ${desiredLabels.join(" > ")}. ${cause}`,
  );
}
