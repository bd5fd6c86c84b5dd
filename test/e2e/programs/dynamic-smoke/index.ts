// One dynamic resource that "deploys" nothing and records the sha256 of a file on disk.
// Its provider's diff re-reads the file: a plain `pulumi preview` shows a change when the file
// was edited since the last `pulumi up` (the drift mechanism chainsmith relies on).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const watchedFile = config.require("watchedFile");
// A secret config value reaches the program through the language host (PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS) and stays secret in the outputs.
const token = config.requireSecret("token");
// Captured as plain strings: provider methods are serialized, they must not capture modules.
const probeModulePath = path.join(__dirname, "probe-module.js");
const repoRoot = path.resolve(__dirname, "../../../..");

interface WatchedOutputs {
  path: string;
  sha256: string;
  content: string;
  probeByPath: string;
  probeByName: string;
  probeRelative: string;
  providerCwd: string;
}

function snapshot(file: string): WatchedOutputs {
  const fs = require("fs");
  const crypto = require("crypto");
  const content: string = fs.readFileSync(file, "utf8");
  const attempt = (load: () => string): string => {
    try {
      return load();
    } catch (err) {
      return `error: ${(err as Error).message.split("\n")[0]}`;
    }
  };
  return {
    path: file,
    sha256: crypto.createHash("sha256").update(content).digest("hex"),
    content,
    probeByPath: attempt(() => require(probeModulePath).describe(content)),
    probeByName: attempt(() => `chainsmith@${require("chainsmith/package.json").version}`),
    probeRelative: attempt(() => require("./probe-module.js").describe(content)),
    providerCwd: process.cwd() === repoRoot ? "<repo root>" : process.cwd(),
  };
}

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: "watched", outs: snapshot(inputs.path) };
  },
  async diff(_id, olds: WatchedOutputs, news) {
    const fs = require("fs");
    const crypto = require("crypto");
    let now = "missing";
    try {
      now = crypto.createHash("sha256").update(fs.readFileSync(news.path, "utf8")).digest("hex");
    } catch {
      // a deleted file is drift too
    }
    return { changes: now !== olds.sha256 || news.path !== olds.path };
  },
  async update(_id, _olds, news) {
    return { outs: snapshot(news.path) };
  },
};

class WatchedFile extends pulumi.dynamic.Resource {
  declare readonly sha256: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  declare readonly probeByPath: pulumi.Output<string>;
  declare readonly probeByName: pulumi.Output<string>;
  declare readonly probeRelative: pulumi.Output<string>;
  declare readonly providerCwd: pulumi.Output<string>;
  constructor(name: string, args: { path: string }, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, sha256: undefined, content: undefined, probeByPath: undefined, probeByName: undefined, probeRelative: undefined, providerCwd: undefined }, opts);
  }
}

const watched = new WatchedFile("watched", { path: watchedFile });
export const sha256 = watched.sha256;
export const content = watched.content;
export const probeByPath = watched.probeByPath;
export const probeByName = watched.probeByName;
export const probeRelative = watched.probeRelative;
export const providerCwd = watched.providerCwd;
export const tokenLength = token.apply((t) => t.length);
