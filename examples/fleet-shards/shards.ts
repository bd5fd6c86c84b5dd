// Runs a fleet too large for one stack as one stack per shard of this project (index.ts), with
// Pulumi's Automation API: the first shard alone (a canary stack), then the others a few stacks
// at a time; the first failing shard stops the rollout. Each stack is an ordinary stack: its
// state, history, locks and `pulumi preview` are Pulumi's own.
//
// In this folder (the project), compiled with tsc:
//   npx tsc --outDir .out shards.ts && PRIVATE_KEY_FILE=privkey.pem SSH_KEY_FILE=~/.ssh/deploy_ed25519 \
//     node .out/shards.js up fleet.json        # or: preview (every shard's drift; fails on any)
//
// fleet.json: [{ "name": "web1", "host": "web1.example.net", "hostKeyFingerprint": "SHA256:..." }, ...]
import * as fs from "fs";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

// A shard's size keeps its state file, its preview and one engine's plugin within bounds (BENCHMARKS.md).
const HOSTS_PER_SHARD = 250;
const SHARDS_AT_ONCE = 4;
// Each engine's own parallelism: Diff calls at once (drift checks) and --parallel.
const ENGINE = { envVars: { PULUMI_PARALLEL_DIFF: "true" } };
const PARALLEL = 64;

async function main(): Promise<void> {
  const [command = "preview", fleetFile = "fleet.json"] = process.argv.slice(2);
  if (command !== "up" && command !== "preview") throw new Error(`usage: shards.ts up|preview FLEET.json (not "${command}")`);
  const hosts = JSON.parse(fs.readFileSync(fleetFile, "utf8")) as unknown[];
  const shards: unknown[][] = [];
  for (let i = 0; i < hosts.length; i += HOSTS_PER_SHARD) shards.push(hosts.slice(i, i + HOSTS_PER_SHARD));
  const stacks = await Promise.all(shards.map((shard, i) => shardStack(`shard-${i + 1}`, shard)));
  const [canary, ...rest] = stacks;
  await run(canary, command);
  for (let i = 0; i < rest.length; i += SHARDS_AT_ONCE) await Promise.all(rest.slice(i, i + SHARDS_AT_ONCE).map((stack) => run(stack, command)));
}

async function shardStack(name: string, hosts: unknown[]): Promise<Stack> {
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: name, workDir: process.cwd() }, ENGINE);
  await stack.setAllConfig({
    hosts: { value: JSON.stringify(hosts) },
    certificateFile: { value: process.env.CERTIFICATE_FILE ?? "cert.pem" },
    poolFile: { value: process.env.POOL_FILE ?? "intermediates.pem" },
    privateKey: { value: fs.readFileSync(process.env.PRIVATE_KEY_FILE ?? "privkey.pem", "utf8"), secret: true },
    sshPrivateKey: { value: fs.readFileSync(process.env.SSH_KEY_FILE ?? "deploy_ed25519", "utf8"), secret: true },
  });
  return stack;
}

async function run(stack: Stack, command: "up" | "preview"): Promise<void> {
  const onOutput = (out: string) => process.stdout.write(out.replace(/^(?=.)/gm, `[${stack.name}] `));
  if (command === "up") await stack.up({ parallel: PARALLEL, onOutput });
  else await stack.preview({ parallel: PARALLEL, expectNoChanges: true, onOutput });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
