// The owner markers beside deployed files: a deployment rewrites them only when they name
// someone else (over a WAN each rewrite costs three round trips per file). The deploy flow on
// the machine running the test (LocalHost), real files, no server commands.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { deploy, OWNER_SUFFIX } from "../../../providers/linux/deploy";
import { LocalHost } from "../../../providers/linux/hosts/local-host";
import { planFiles } from "../../../providers/linux/presets";
import { crossSignedSite, type CrossSignedSite } from "../../../harness/scenarios";

let pki: CrossSignedSite;
let dir: string;

beforeAll(async () => {
  pki = await crossSignedSite();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-owner-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("owner markers", () => {
  it("are written by the first deployment, left alone by the same owner's next ones, and taken over by another owner", async () => {
    const plan = planFiles({ preset: "nginx", directory: dir, configTestCommand: "", reloadCommand: "" });
    const markers = plan.files.map((f) => f.path + OWNER_SUFFIX);
    const inodes = () => markers.map((m) => fs.statSync(m).ino);
    const deployAs = (owner: string, chainPem: string) => deploy(new LocalHost(), buildDesiredState({ chainPem, privateKeyPem: pki.leaf.keyPem }, plan), plan, { endpoints: [], owner });

    await deployAs("owner-a", pki.desiredChainPem);
    expect(markers.map((m) => fs.readFileSync(m, "utf8"))).toEqual(markers.map(() => "owner-a\n"));
    const first = inodes();

    await deployAs("owner-a", pki.shortChainPem);
    expect(fs.readFileSync(plan.files[0].path, "utf8")).toBe(pki.shortChainPem);
    expect(inodes(), "the same owner's markers are not rewritten").toEqual(first);

    await deployAs("owner-b", pki.desiredChainPem);
    expect(markers.map((m) => fs.readFileSync(m, "utf8"))).toEqual(markers.map(() => "owner-b\n"));
    expect(inodes().some((ino, i) => ino === first[i]), "another owner's deployment replaces them").toBe(false);
  });
});
