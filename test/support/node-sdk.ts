// The generated Node.js SDK (sdk/nodejs) as a user gets it: compiled with tsc (in a child
// process), its package.json beside the output, installed as @chainsmith/sdk in a node_modules
// folder that a Pulumi program finds through NODE_PATH. @pulumi/pulumi and @types/node are the
// repository's (links), so the SDK and the program share one copy of the Pulumi SDK.
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../harness/repo-root";
import { runOk } from "../../harness/run";

/** Builds sdk/nodejs under `workDir`; returns the node_modules folder that holds @chainsmith/sdk. */
export async function buildNodeSdk(workDir: string): Promise<string> {
  const build = path.join(workDir, "sdk-nodejs");
  fs.cpSync(path.join(repoRoot, "sdk", "nodejs"), build, { recursive: true });
  fs.mkdirSync(path.join(build, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi"), path.join(build, "node_modules", "@pulumi", "pulumi"), "dir");
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@types"), path.join(build, "node_modules", "@types"), "dir");
  await runOk(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", build], { cwd: build, timeoutMs: 300_000 });
  // A published Pulumi SDK is its bin/ folder with the package.json (utilities.ts reads the version from it).
  fs.copyFileSync(path.join(build, "package.json"), path.join(build, "bin", "package.json"));
  const nodeModules = path.join(workDir, "node_modules");
  fs.mkdirSync(path.join(nodeModules, "@chainsmith"), { recursive: true });
  fs.symlinkSync(path.join(build, "bin"), path.join(nodeModules, "@chainsmith", "sdk"), "dir");
  return nodeModules;
}
