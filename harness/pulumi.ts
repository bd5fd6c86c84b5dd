// Runs the real Pulumi CLI (.tools/pulumi/, put there by `bash scripts/install-pulumi.sh`) against
// a Pulumi program, offline: a file backend, a passphrase and a Pulumi home in a
// temp dir, no update check, no plugin download. The program runs in place, so it resolves
// `@pulumi/pulumi` and every other package from the repository's node_modules by ordinary
// Node resolution (walking up the directories). NODE_PATH also holds a `chainsmith` link to the
// repository root, so that the program imports `chainsmith` by package name, as it will when
// chainsmith is installed (unless the program has its own install: linkCheckout false).
// The stack's config file (Pulumi.<stack>.yaml) lives in the temp dir, passed as --config-file:
// the program directory stays clean.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { repoRoot } from "./repo-root";

export { repoRoot };

import { described, run, type RunResult } from "./run";

export type PulumiResult = RunResult;

export interface StackOptions {
  /** Stack name; a unique one by default. */
  stackName?: string;
  /** Plain config values, keys without a namespace go to the project's namespace. */
  config?: Record<string, string>;
  /** Secret config values. */
  secrets?: Record<string, string>;
  /** Extra environment for every command (and so for the program and the plugins). */
  env?: Record<string, string>;
  /** Skip ts-node's type check of the program (PULUMI_NODEJS_TRANSPILE_ONLY); saves ~0.5 s a run. */
  transpileOnly?: boolean;
  /** Default timeout of each command, ms (120 s). */
  timeoutMs?: number;
  /** Resolve `chainsmith` to this checkout through NODE_PATH (default true); false: the program has its own install. */
  linkCheckout?: boolean;
}

/** Absolute path of the Pulumi CLI; throws, naming the install command, when it is missing. */
export function pulumiBinary(root: string = repoRoot): string {
  const bin = path.join(root, ".tools", "pulumi", "pulumi");
  const host = path.join(root, ".tools", "pulumi", "pulumi-language-nodejs");
  if (!fs.existsSync(bin) || !fs.existsSync(host)) {
    throw new Error(`The Pulumi CLI is not installed in ${path.dirname(bin)}: run \`bash scripts/install-pulumi.sh\` first`);
  }
  return bin;
}

// Commands that read the stack config file and accept --config-file.
const CONFIG_FILE_COMMANDS = new Set(["up", "update", "preview", "refresh", "destroy", "config", "import", "watch"]);

/** Adds flags before a "--" separator, or at the end. */
function withFlags(args: string[], flags: string[]): string[] {
  const i = args.indexOf("--");
  return i < 0 ? [...args, ...flags] : [...args.slice(0, i), ...flags, ...args.slice(i)];
}

export class PulumiStack {
  /** Where the run state lives: backend, Pulumi home, config file, NODE_PATH links. Removed by dispose(). */
  readonly workDir: string;
  readonly configFile: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly bin: string;

  constructor(
    /** Where the CLI runs (the program); relocate() moves it, as another checkout of the same project would. */
    public programDir: string,
    readonly stackName: string,
    private readonly options: StackOptions,
  ) {
    this.bin = pulumiBinary();
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-pulumi-"));
    this.configFile = path.join(this.workDir, `Pulumi.${stackName}.yaml`);
    const state = path.join(this.workDir, "state");
    const nodePath = path.join(this.workDir, "node_path");
    fs.mkdirSync(state);
    fs.mkdirSync(nodePath);
    if (options.linkCheckout !== false) fs.symlinkSync(repoRoot, path.join(nodePath, "chainsmith"), "dir");
    this.env = {
      ...process.env,
      PATH: `${path.dirname(this.bin)}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(this.workDir, "home"),
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: "chainsmith-e2e",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // @pulumi/azure-native in node_modules would make the engine download its plugin.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      NODE_PATH: [nodePath, process.env.NODE_PATH].filter(Boolean).join(path.delimiter),
      ...(options.transpileOnly ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {}),
      ...options.env,
    };
  }

  /** From now on, commands run from another copy of the program (same backend, stack and config), as on another machine. */
  async relocate(programDir: string): Promise<void> {
    this.programDir = path.resolve(programDir);
    await this.runOk(["stack", "select", this.stackName]);
  }

  /** Runs `pulumi <args>` in the program directory; never throws on a non-zero exit. */
  run(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<PulumiResult> {
    let full = withFlags(args, ["--color=never", "--non-interactive"]);
    if (CONFIG_FILE_COMMANDS.has(args[0])) full = withFlags(full, ["--config-file", this.configFile]);
    return run(this.bin, full, { cwd: this.programDir, env: { ...this.env, ...opts.env }, timeoutMs: opts.timeoutMs ?? this.options.timeoutMs ?? 120_000 });
  }

  /** Like run(), but throws with the CLI's output when it exits non-zero. */
  async runOk(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<PulumiResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")}: ${described(r)}`);
    }
    return r;
  }

  async setConfig(key: string, value: string, secret = false): Promise<void> {
    await this.runOk(["config", "set", ...(secret ? ["--secret"] : ["--plaintext"]), "--", key, value]);
  }

  /** The stack's outputs, secrets shown. */
  async outputs(): Promise<Record<string, unknown>> {
    const r = await this.runOk(["stack", "output", "--json", "--show-secrets"]);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** Destroys the stack's resources (best effort), removes the stack and the temp dir. */
  async dispose(): Promise<void> {
    try {
      await this.run(["destroy", "--yes", "--skip-preview"]);
      await this.run(["stack", "rm", "--yes", "--force"]);
    } finally {
      fs.rmSync(path.join(this.programDir, `Pulumi.${this.stackName}.yaml`), { force: true });
      fs.rmSync(this.workDir, { recursive: true, force: true });
    }
  }
}

/** Creates (and selects) a fresh stack of the program in `programDir`, with its config set. */
export async function createStack(programDir: string, options: StackOptions = {}): Promise<PulumiStack> {
  const stackName = options.stackName ?? `e2e-${crypto.randomBytes(4).toString("hex")}`;
  const stack = new PulumiStack(path.resolve(programDir), stackName, options);
  try {
    await stack.runOk(["stack", "init", stackName]);
    // `stack init` writes the passphrase salt to Pulumi.<stack>.yaml beside Pulumi.yaml (it has no
    // --config-file flag): move it to the temp dir, where every later command reads it.
    const written = path.join(stack.programDir, `Pulumi.${stackName}.yaml`);
    if (fs.existsSync(written)) {
      fs.copyFileSync(written, stack.configFile);
      fs.rmSync(written);
    }
    for (const [k, v] of Object.entries(options.config ?? {})) await stack.setConfig(k, v);
    for (const [k, v] of Object.entries(options.secrets ?? {})) await stack.setConfig(k, v, true);
  } catch (err) {
    await stack.dispose().catch(() => undefined);
    throw err;
  }
  return stack;
}
