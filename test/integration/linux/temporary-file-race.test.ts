// A local user who can write the target directory against root's writes there, on a real
// sshd: the attacker (an unprivileged user, test/support/temporary-file-swapper.ts) swaps
// every temporary file it sees for a symbolic link to a root-owned 0600 file. Mode and owner must go to the file
// chainsmith opened, never to what a name points to; the deploy flow refuses such directories.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { deploy, restoreOriginals } from "../../../providers/linux/deploy";
import { planFiles } from "../../../providers/linux/presets";
import type { FileAttributes } from "../../../providers/linux/hosts/target-host";
import { ATTACKER_USER, testUserIds } from "../../../harness/sshd";
import { HOST_KINDS, scratchDir, sshdAndSite, within, withHost } from "./host-kinds";
import { makeVictim, startSwapper } from "../../support/temporary-file-swapper";

const env = sshdAndSite();
const attacker = testUserIds(ATTACKER_USER);

const WITHOUT_OWNER: FileAttributes = { mode: 0o644 };
const WITH_OWNER: FileAttributes = { mode: 0o640, owner: "nobody", group: "nogroup" };

describe("a user who can write the target directory swaps root's temporary file for a link", () => {
  for (const kind of HOST_KINDS) {
    for (const attributes of [WITHOUT_OWNER, WITH_OWNER]) {
      const setup = `${kind.who}, ${attributes.owner ? "with owner and group" : "mode only"}`;
      it(`${setup}: the linked root file keeps its mode, owner and content on every write`, async () => {
        const dir = scratchDir("race");
        fs.chownSync(dir, attacker.uid, attacker.gid);
        const victim = makeVictim();
        const before = victim.facts();
        const swapper = await startSwapper(dir, victim.file);
        try {
          await withHost(kind, env.sshd, async (host) => {
            for (let attempt = 1; attempt <= 5; attempt++) {
              // The write may fail (chainsmith sees its file replaced) or land; the victim never changes.
              await within("the write", 60_000, host.writeFileAtomic(path.join(dir, "fullchain.pem"), Buffer.from(`chain ${attempt}\n`), attributes).catch(() => undefined));
              expect(victim.facts(), `after write ${attempt}`).toEqual(before);
            }
          });
        } finally {
          await swapper.stop();
          victim.remove();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
});

describe("the deploy flow refuses a directory that another user can write, and touches nothing", () => {
  const layouts: { name: string; make(): { dir: string; culprit: string; remove(): void } }[] = [
    {
      name: "owned by another user",
      make: () => {
        const dir = scratchDir("unsafe");
        fs.chownSync(dir, attacker.uid, attacker.gid);
        return { dir, culprit: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: "writable by every user, even with the sticky bit",
      make: () => {
        const dir = scratchDir("unsafe");
        fs.chmodSync(dir, 0o1777);
        return { dir, culprit: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: "writable by its group",
      make: () => {
        const dir = scratchDir("unsafe");
        fs.chownSync(dir, 0, attacker.gid);
        fs.chmodSync(dir, 0o775);
        return { dir, culprit: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: "safe itself, inside a directory another user owns (who can rename it away)",
      make: () => {
        const parent = scratchDir("unsafe");
        fs.chownSync(parent, attacker.uid, attacker.gid);
        const dir = path.join(parent, "tls");
        fs.mkdirSync(dir, { mode: 0o755 });
        return { dir, culprit: parent, remove: () => fs.rmSync(parent, { recursive: true, force: true }) };
      },
    },
  ];
  for (const kind of HOST_KINDS) {
    for (const layout of layouts) {
      it(`${kind.who}: a directory ${layout.name}`, async () => {
        const { dir, culprit, remove } = layout.make();
        try {
          fs.writeFileSync(path.join(dir, "fullchain.pem"), env.pki.shortChainPem, { mode: 0o644 });
          const plan = planFiles({ preset: "custom", files: { fullchain: { path: path.join(dir, "fullchain.pem") }, privkey: { path: path.join(dir, "privkey.pem") } } });
          const desired = buildDesiredState({ chainPem: env.pki.desiredChainPem, privateKeyPem: env.pki.leaf.keyPem }, plan);
          await withHost(kind, env.sshd, async (host) => {
            const error = await within("the deployment", 60_000, deploy(host, desired, plan, { endpoints: [], owner: "test" }).catch((e: unknown) => e));
            expect(error).toBeInstanceOf(ChainsmithInputError);
            expect((error as ChainsmithInputError).code).toBe("unsafe-directory");
            expect((error as Error).message).toContain(`${culprit} `);
            expect((error as Error).message).toMatch(/chmod go-w|chown root/);
            const restore = await restoreOriginals(host, { [path.join(dir, "fullchain.pem")]: "absent" }, {}, "test").catch((e: unknown) => e);
            expect((restore as ChainsmithInputError).code).toBe("unsafe-directory");
          });
          expect(fs.readdirSync(dir)).toEqual(["fullchain.pem"]);
          expect(fs.readFileSync(path.join(dir, "fullchain.pem"), "utf8")).toBe(env.pki.shortChainPem);
        } finally {
          remove();
        }
      });
    }
  }
});

describe("restore on delete where the directory is gone", () => {
  for (const kind of HOST_KINDS) {
    it(`${kind.who}: nothing to put back, and no error`, async () => {
      const parent = scratchDir("gone");
      try {
        const restore = withHost(kind, env.sshd, (host) => within("the restore", 60_000, restoreOriginals(host, { [path.join(parent, "tls", "fullchain.pem")]: "backup" }, {}, "test")));
        await expect(restore).resolves.toHaveLength(1);
      } finally {
        fs.rmSync(parent, { recursive: true, force: true });
      }
    });
  }
});
