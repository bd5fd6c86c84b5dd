// Commands and files that never end, on a real sshd and on this machine: a reload that hangs
// is killed on the host when commandTimeoutMs passes, and the deployment rolls back; a FIFO or
// a device at a target path is refused at once, a link to one is kept as a link, never read.
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { deploy } from "../../../providers/linux/deploy";
import { LinuxDeployError } from "../../../providers/linux/errors";
import { planFiles } from "../../../providers/linux/presets";
import { MAX_TARGET_FILE_BYTES } from "../../../providers/linux/hosts/target-host";
import { eventually } from "../../../harness/eventually";
import { HOST_KINDS, scratchDir, sshdAndSite, within, withHost } from "./host-kinds";

const env = sshdAndSite();

/** Whether a process on this machine (where the loopback sshd runs its commands) has `marker` in its command line. */
function running(marker: string): boolean {
  return fs.readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").includes(marker);
    } catch {
      return false; // the process ended while we looked
    }
  });
}

describe("a command that never returns", () => {
  for (const kind of HOST_KINDS) {
    it(`${kind.who}: the reload is killed on the host after commandTimeoutMs, named in the error, and the files are put back`, async () => {
      const dir = scratchDir("hang");
      const marker = `600.${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
      try {
        const fullchain = path.join(dir, "fullchain.pem");
        fs.writeFileSync(fullchain, env.pki.shortChainPem, { mode: 0o644 });
        const plan = { ...planFiles({ preset: "custom", files: { fullchain: { path: fullchain }, privkey: { path: path.join(dir, "privkey.pem") } } }), reload: `sleep ${marker}` };
        const desired = buildDesiredState({ chainPem: env.pki.desiredChainPem, privateKeyPem: env.pki.leaf.keyPem }, plan);
        await withHost(
          kind,
          env.sshd,
          async (host) => {
            const deployment = within("the deployment", 60_000, deploy(host, desired, plan, { endpoints: [], owner: "test" })).catch((e: unknown) => e);
            await eventually("the reload runs on the host", () => running(marker));
            const error = (await deployment) as LinuxDeployError;
            expect(error).toBeInstanceOf(LinuxDeployError);
            expect(error.step).toBe("reload");
            expect(error.message).toContain(`it ran longer than commandTimeoutMs (1500 ms)`);
            // The rollback reloads with the previous files, which hangs too: that is said as well.
            expect(error.message).toContain("reloading with the previous files failed too");
          },
          { commandTimeoutMs: 1500 },
        );
        await eventually("the reload is gone from the host", () => !running(marker));
        expect(fs.readFileSync(fullchain, "utf8")).toBe(env.pki.shortChainPem);
        expect(fs.existsSync(path.join(dir, "privkey.pem"))).toBe(false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("what sits at a target path", () => {
  for (const kind of HOST_KINDS) {
    it(`${kind.who}: a FIFO, a device, a directory or an oversized file is refused at once; a link to /dev/zero is read as a link`, async () => {
      const dir = scratchDir("odd-files");
      try {
        const fifo = path.join(dir, "fifo.pem");
        execFileSync("mkfifo", [fifo]);
        const big = path.join(dir, "big.pem");
        fs.writeFileSync(big, Buffer.alloc(MAX_TARGET_FILE_BYTES + 1, 0x41));
        const zero = path.join(dir, "zero.pem");
        fs.symlinkSync("/dev/zero", zero);
        await withHost(kind, env.sshd, async (host) => {
          const refusal = async (target: string) => (await within(`reading ${target}`, 30_000, host.readFiles([target]).then(() => undefined, (e: unknown) => e))) as ChainsmithInputError;
          for (const [target, what] of [[fifo, /FIFO/i], ["/dev/null", /character/i], [dir, /directory/i]] as const) {
            const error = await refusal(target);
            expect(error, target).toBeInstanceOf(ChainsmithInputError);
            expect(error.code).toBe("target-not-a-file");
            expect(error.message).toContain(`${target} is a`);
            expect(error.message).toMatch(what);
          }
          const large = await refusal(big);
          expect(large.code).toBe("target-file-too-large");
          expect(large.message).toContain(`${big} holds ${MAX_TARGET_FILE_BYTES + 1} bytes`);
          expect(await within("reading a link to /dev/zero", 30_000, host.readFiles([zero]))).toEqual([{ kind: "link", target: "/dev/zero" }]);
          // The session still answers: nothing on the host is stuck on the FIFO.
          expect(await within("reading after the FIFO", 30_000, host.readFiles([path.join(dir, "none.pem")]))).toEqual([undefined]);
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
