/**
 * After an apply: ask Windows which chain it builds, read what IIS serves from the wire,
 * and climb the ladder (flush chain caches -> recreate the binding -> iisreset) until the
 * served chain is the desired one or the ladder ends. Every rung is recorded; when none
 * works, the error says what Windows builds, what IIS serves, and what to try next.
 */
import { Certificate } from "../../chain/certificate";
import { untilSteady } from "../../probe/until-steady";
import { AgentTransport, resultOf } from "./agent-invocation";
import { ApplyReport, ChainReport, Step } from "./contract";
import { WindowsTargetError } from "./errors";

export type RungName = "as applied" | "flush chain caches" | "recreate binding" | "iisreset";

export interface LadderRung {
  rung: RungName;
  /** What X509Chain.Build gives in machine context, leaf first (labels). */
  windowsBuilds: string[];
  /** What the endpoint sent, wire order (labels). */
  served: string[];
  matches: boolean;
}

/** Reads the certificates an endpoint serves, in wire order. */
export type ServedChainReader = () => Promise<Certificate[]>;

export interface LadderInput {
  transport: AgentTransport;
  desired: readonly Certificate[];
  bindingStep: Extract<Step, { kind: "replaceBinding" }>;
  readServed: ServedChainReader;
}

const RUNGS: Array<{ rung: RungName; steps: (binding: Step) => Step[] }> = [
  { rung: "as applied", steps: () => [] },
  { rung: "flush chain caches", steps: () => [{ kind: "flushChainCaches" }] },
  { rung: "recreate binding", steps: (binding) => [binding] },
  { rung: "iisreset", steps: () => [{ kind: "iisreset" }] },
];

const RUNG_PATIENCE_MS = 1500;

export async function climbLadder(input: LadderInput): Promise<LadderRung[]> {
  const { transport, desired, bindingStep } = input;
  const desiredIds = desired.map((c) => c.sha256).join(",");
  const rungs: LadderRung[] = [];
  for (const { rung, steps } of RUNGS) {
    const toRun = steps(bindingStep);
    if (toRun.length > 0) resultOf<ApplyReport>(await transport.run({ verb: "apply", steps: toRun }), transport.where, []);
    const report = resultOf<ChainReport>(await transport.run({ verb: "chain", thumbprint: bindingStep.certificateHash }), transport.where, []);
    const windowsBuilds = report.elements.map((e) => Certificate.fromDer(Buffer.from(e.derBase64, "base64")));
    // http.sys applies a binding at once, but give each rung a moment before climbing further.
    const { value: served, steady: matches } = await untilSteady(() => input.readServed(), (chain) => chain.map((c) => c.sha256).join(",") === desiredIds, { timeoutMs: RUNG_PATIENCE_MS, inRow: 2 });
    rungs.push({ rung, windowsBuilds: windowsBuilds.map((c) => c.label), served: served.map((c) => c.label), matches });
    if (matches) return rungs;
  }
  throw ladderFailed(transport.where, desired, rungs);
}

function ladderFailed(where: string, desired: readonly Certificate[], rungs: LadderRung[]): WindowsTargetError {
  const last = rungs[rungs.length - 1];
  const desiredLabels = desired.map((c) => c.label);
  const windowsAgrees = desiredLabels.every((label, i) => last.windowsBuilds[i] === label);
  const cause = windowsAgrees
    ? "Windows itself builds the desired chain, but http.sys still serves another one: its cache survived iisreset. Restart the HTTP service (net stop http /y) or reboot the host."
    : `Windows itself builds ${last.windowsBuilds.join(" > ")}: the stores do not lead to the desired chain (a Group Policy or automatic root update may have put a root back). Run an inventory and look at Root, AuthRoot and Disallowed.`;
  return new WindowsTargetError(
    "served-chain-mismatch",
    `${where}: after ${rungs.map((r) => r.rung).join(", ")}, IIS serves ${last.served.join(" > ")} instead of ${desiredLabels.join(" > ")}. ${cause}`,
  );
}
