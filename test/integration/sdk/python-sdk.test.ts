// The generated Python SDK (sdk/python) as a user installs it: built from its pyproject with
// setuptools, imported, and the README's Python program type-checked against it with mypy
// (a program with a wrong type must fail). No Python language host runs here (README:
// "Other languages"), so the program is checked, not run. The venv (Pulumi's Python SDK,
// mypy, setuptools) is made by scripts/install-sdk-checks.sh; nothing is downloaded here.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../harness/repo-root";
import { described, run, runOk } from "../../../harness/run";
import { readmeBlock } from "../../support/readme";

const venv = path.join(repoRoot, ".tools", "sdk-python");
const python = path.join(venv, "bin", "python");

describe("the generated Python SDK", () => {
  let dir: string;
  let site: string;
  const env = () => ({ ...process.env, PYTHONPATH: site, MYPYPATH: site, PIP_NO_INDEX: "1" });
  const mypy = (file: string) => run(python, ["-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", path.join(dir, "mypy-cache"), file], { env: env(), cwd: dir, timeoutMs: 300_000 });

  beforeAll(async () => {
    if (!fs.existsSync(python)) throw new Error(`${python} is missing: run bash scripts/install-sdk-checks.sh (scripts/setup.sh does)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-sdk-python-"));
    site = path.join(dir, "site");
    fs.cpSync(path.join(repoRoot, "sdk", "python"), path.join(dir, "src"), { recursive: true });
    await runOk(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-build-isolation", "--no-deps", "--no-index", "--target", site, path.join(dir, "src")], { env: env(), timeoutMs: 300_000 });
  }, 300_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("installs and imports: the remote component, its enums and the typed targets", async () => {
    const probe = [
      "import pulumi, pulumi_chainsmith as c",
      "assert issubclass(c.CertificateDeployment, pulumi.ComponentResource)",
      "print(c.CertificateDeployment.__init__.__module__)",
      "print(sorted(k.value for k in c.TargetKind))",
      "print(sorted(r.value for r in c.Rollout))",
      "print(sorted(c.TargetArgsDict.__required_keys__))",
      "print(c._utilities.get_version())",
    ].join("\n");
    const r = await runOk(python, ["-c", probe], { env: env(), cwd: dir });
    expect(r.stdout.split("\n")).toEqual([
      "pulumi_chainsmith.certificate_deployment",
      "['appService', 'azureVm', 'iis', 'linux', 'local']",
      "['canary', 'parallel', 'sequential', 'waves']",
      "['kind', 'name']",
      JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version,
      "",
    ]);
    // The secrets of the schema are secrets in the SDK: wrapped before they leave the program.
    const source = fs.readFileSync(path.join(site, "pulumi_chainsmith", "certificate_deployment.py"), "utf8");
    for (const secret of ["private_key", "key_passphrase", "pfx", "pfx_password"]) expect(source).toContain(`__props__.__dict__["${secret}"] = None if ${secret} is None else pulumi.Output.secret(${secret})`);
  });

  it("the README's Python program type-checks with mypy --strict; a wrong type fails it", async () => {
    fs.writeFileSync(path.join(dir, "readme_program.py"), readmeBlock("python"));
    const good = await mypy("readme_program.py");
    expect(good.code, described(good)).toBe(0);

    fs.writeFileSync(path.join(dir, "wrong_port.py"), readmeBlock("python").replace('"port": 443', '"port": "443"'));
    const bad = await mypy("wrong_port.py");
    expect(bad.code, described(bad)).toBe(1);
    // mypy names the target whose dict is not a TargetArgsDict (its endpoint's port is a str).
    expect(bad.stdout).toMatch(/wrong_port\.py:\d+: error: List item 0 has incompatible type .*TargetArgsDict/);
  }, 300_000);
});
