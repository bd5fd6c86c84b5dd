// Runs the real Pulumi CLI (.tools/pulumi/, put there by `bash scripts/install-pulumi.sh`) against
// a program of this repository, offline: a file backend, a passphrase and a Pulumi home in a
// temp dir, no update check, no plugin download. The program runs in place, so it resolves
// `@pulumi/pulumi` and every other package from the repository's node_modules by ordinary
// Node resolution (walking up the directories). NODE_PATH also holds a `chainsmith` link to the
// repository root, so code in the program or in a dynamic provider's methods can
// `require("chainsmith/dist/...")` by package name, as it will when chainsmith is installed.
// The stack's config file (Pulumi.<stack>.yaml) lives in the temp dir, passed as --config-file:
// the program directory stays clean.
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "..", "..");

export interface PulumiResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 if the CLI was killed (timeout or signal). */
  code: number;
  /** Wall time of the command, in milliseconds. */
  ms: number;
}

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
    readonly programDir: string,
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
    fs.symlinkSync(repoRoot, path.join(nodePath, "chainsmith"), "dir");
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

  /** Runs `pulumi <args>` in the program directory; never throws on a non-zero exit. */
  run(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<PulumiResult> {
    let full = withFlags(args, ["--color=never", "--non-interactive"]);
    if (CONFIG_FILE_COMMANDS.has(args[0])) full = withFlags(full, ["--config-file", this.configFile]);
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 120_000;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, full, {
        cwd: this.programDir,
        env: { ...this.env, ...opts.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        stderr += `\n[test/support/pulumi] pulumi ${args.join(" ")} timed out after ${timeoutMs} ms\n`;
        child.kill("SIGINT");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }, timeoutMs);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: code ?? -1, ms: Date.now() - started });
      });
    });
  }

  /** Like run(), but throws with the CLI's output when it exits non-zero. */
  async runOk(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<PulumiResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
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
