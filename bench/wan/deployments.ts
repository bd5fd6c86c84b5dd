// The two ways of deploying a chain to the fleet that the benchmarks compare: chainsmith's
// deploy flow (one SSH connection per host, as the provider runs it for each target), and
// what a careful shell script does per host with scp, ssh and openssl.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildDesiredState } from "../../providers/linux/desired-state";
import { deploy } from "../../providers/linux/deploy";
import { SshHost } from "../../providers/linux/hosts/ssh-host";
import { PLAIN_ROOT_USER } from "../../harness/sshd";
import type { ChainVariant, Target } from "./fleet";
import { mark, PhaseClock, type Phases } from "./phase-clock";

/** One deployment by chainsmith, from parsing the chain to the served chain proven; its phases. */
export async function deployOne(target: Target, variant: ChainVariant): Promise<Phases> {
  const started = mark();
  const desired = buildDesiredState({ chainPem: variant.chainPem, privateKeyPem: variant.keyPem }, target.plan);
  const rendered = mark();
  const ssh = await SshHost.connect({ host: "127.0.0.1", port: target.sshPort, user: PLAIN_ROOT_USER, privateKey: target.sshd.clientKey, hostKeyFingerprints: [target.sshd.hostKeyFingerprint] });
  const host = new PhaseClock(ssh, started, rendered, mark());
  try {
    await deploy(host, desired, target.plan, { endpoints: [{ host: "127.0.0.1", port: target.tlsPort }], verifyTimeoutMs: 60_000, owner: "bench" });
  } finally {
    host.close();
  }
  return host.phases(mark());
}

/** Deploys to every target, at most `concurrency` at once (a new one starts as one ends). */
export async function deployFleet(targets: Target[], variant: ChainVariant, concurrency = targets.length): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < targets.length) await deployOne(targets[next++], variant);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
}

/**
 * What a careful shell script does per host: upload to temporary names, move into place, test,
 * reload, then poll `openssl s_client -showcerts` until the new chain is served.
 */
export async function shellDeploy(target: Target, variant: ChainVariant): Promise<void> {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-wan-staging-"));
  try {
    fs.writeFileSync(path.join(staging, "fullchain.pem"), variant.chainPem);
    fs.writeFileSync(path.join(staging, "privkey.pem"), variant.keyPem, { mode: 0o600 });
    fs.mkdirSync(path.join(target.dir, ".upload"), { recursive: true });
    const sshOptions = ["-i", target.sshd.clientKeyPath, "-o", `UserKnownHostsFile=${target.knownHostsFile}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"];
    const remote = `${PLAIN_ROOT_USER}@127.0.0.1`;
    await run("scp", ["-q", "-P", String(target.sshPort), ...sshOptions, path.join(staging, "fullchain.pem"), path.join(staging, "privkey.pem"), `${remote}:${target.dir}/.upload/`]);
    const d = target.dir;
    const script = `set -e; chmod 0600 ${d}/.upload/privkey.pem; mv -f ${d}/.upload/fullchain.pem ${d}/fullchain.pem; mv -f ${d}/.upload/privkey.pem ${d}/privkey.pem; ${target.plan.configTest}; ${target.plan.reload}`;
    await run("ssh", ["-p", String(target.sshPort), ...sshOptions, remote, script]);
    const deadline = performance.now() + 60_000;
    for (let inRow = 0; inRow < 3; ) {
      const out = await run("sh", ["-c", `openssl s_client -connect 127.0.0.1:${target.tlsPort} -showcerts </dev/null 2>/dev/null`], true);
      inRow = (out.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length === variant.certificates ? inRow + 1 : 0;
      if (performance.now() > deadline) throw new Error(`shell loop: ${target.name} never served the ${variant.name} chain`);
      if (inRow < 3) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], failureIsOutput = false): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) => (error && !failureIsOutput ? reject(new Error(`${command} failed: ${stderr}`)) : resolve(stdout))),
  );
}
