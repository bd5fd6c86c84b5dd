// Target paths as real hosts have them, on each way to reach a host: the certbot layout (live/
// files are links into archive/), names with a backslash or a newline, owners that look like
// options.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { BACKUP_SUFFIX, deploy, restoreOriginals } from "../../../providers/linux/deploy";
import { LinuxDeployError } from "../../../providers/linux/errors";
import { readFileHashes } from "../../../providers/linux/live-state";
import { planFiles } from "../../../providers/linux/presets";
import { HOST_KINDS, scratchDir, sshdAndSite, within, withHost } from "./host-kinds";

const env = sshdAndSite();

/** /…/live/site/{fullchain,privkey}.pem as links to ../../archive/site/*1.pem, as certbot leaves them. */
function certbotLayout() {
  const root = scratchDir("certbot");
  const archive = path.join(root, "archive", "site");
  const live = path.join(root, "live", "site");
  fs.mkdirSync(archive, { recursive: true, mode: 0o755 });
  fs.mkdirSync(live, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(archive, "fullchain1.pem"), env.pki.shortChainPem, { mode: 0o644 });
  fs.writeFileSync(path.join(archive, "privkey1.pem"), env.pki.leaf.keyPem, { mode: 0o600 });
  const links = { fullchain: "../../archive/site/fullchain1.pem", privkey: "../../archive/site/privkey1.pem" };
  fs.symlinkSync(links.fullchain, path.join(live, "fullchain.pem"));
  fs.symlinkSync(links.privkey, path.join(live, "privkey.pem"));
  const plan = planFiles({ preset: "nginx", directory: live, configTestCommand: "", reloadCommand: "" });
  /** Each live file is the same link as before, and the archive is untouched. */
  const expectLinksAsBefore = () => {
    expect(fs.readlinkSync(path.join(live, "fullchain.pem"))).toBe(links.fullchain);
    expect(fs.readlinkSync(path.join(live, "privkey.pem"))).toBe(links.privkey);
    expect(fs.readFileSync(path.join(archive, "fullchain1.pem"), "utf8")).toBe(env.pki.shortChainPem);
    expect(fs.readFileSync(path.join(archive, "privkey1.pem"), "utf8")).toBe(env.pki.leaf.keyPem);
  };
  return { live, links, plan, expectLinksAsBefore, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

describe("target files that are symbolic links (certbot's live/ directory)", () => {
  for (const kind of HOST_KINDS) {
    it(`${kind.who}: a rollback and a restore on delete put the links back, not copies of their files`, async () => {
      const site = certbotLayout();
      try {
        await withHost(kind, env.sshd, async (host) => {
          const failing = { ...site.plan, configTest: "echo 'bad config' >&2; exit 1" };
          const desired = buildDesiredState({ chainPem: env.pki.desiredChainPem, privateKeyPem: env.pki.leaf.keyPem }, failing);
          const error = await within("the deployment", 60_000, deploy(host, desired, failing, { endpoints: [], owner: "test" }).catch((e: unknown) => e));
          expect((error as LinuxDeployError).step).toBe("config-test");
          site.expectLinksAsBefore();

          const result = await within("the deployment", 60_000, deploy(host, desired, site.plan, { endpoints: [], owner: "test" }));
          const fullchain = path.join(site.live, "fullchain.pem");
          expect(fs.lstatSync(fullchain).isFile()).toBe(true);
          expect(fs.readFileSync(fullchain, "utf8")).toBe(env.pki.desiredChainPem);
          expect(fs.readlinkSync(fullchain + BACKUP_SUFFIX)).toBe(site.links.fullchain);
          expect(result.originals).toEqual({ [fullchain]: "backup", [path.join(site.live, "privkey.pem")]: "backup" });

          await within("the restore", 60_000, restoreOriginals(host, result.originals, {}, "test"));
          site.expectLinksAsBefore();
          expect(fs.existsSync(fullchain + BACKUP_SUFFIX)).toBe(false);
        });
      } finally {
        site.remove();
      }
    });
  }
});

describe("file names that sha256sum escapes", () => {
  for (const kind of HOST_KINDS) {
    it(`${kind.who}: drift hashes are read for names with a backslash or a newline`, async () => {
      const dir = scratchDir("names");
      try {
        const names = ["back\\slash.pem", "new\nline.pem", "plain.pem"];
        const paths = names.map((name) => path.join(dir, name));
        paths.forEach((p, i) => fs.writeFileSync(p, `content ${i}\n`));
        const sha = (p: string) => crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
        const missing = path.join(dir, "missing\\.pem");
        const hashes = await withHost(kind, env.sshd, (host) => within("hashing", 30_000, readFileHashes(host, [...paths, missing])));
        expect(hashes).toEqual([...paths.map((p) => ({ path: p, sha256: sha(p) })), { path: missing, sha256: null }]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("an owner that looks like an option", () => {
  for (const kind of HOST_KINDS) {
    it(`${kind.who}: "--reference=FILE" is a name chown does not know, not an option that takes FILE's owner`, async () => {
      const dir = scratchDir("owner");
      try {
        const reference = path.join(dir, "reference");
        fs.writeFileSync(reference, "");
        fs.chownSync(reference, 65534, 65534);
        const target = path.join(dir, "fullchain.pem");
        const error = await withHost(kind, env.sshd, (host) => within("the write", 30_000, host.writeFileAtomic(target, Buffer.from("chain\n"), { mode: 0o644, owner: `--reference=${reference}` }).catch((e: unknown) => e)));
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toContain(`--reference=${reference}`);
        expect(fs.readdirSync(dir)).toEqual(["reference"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
