// `chainsmith bundle`: choose the chain and print it (fullchain PEM or JSON), or write
// the files servers read to a directory.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Certificate } from "../chain/certificate";
import { ChainsmithInputError } from "../chain/errors";
import { ChainChoice } from "../chain/policy";
import type { PfxProfile } from "../chain/pfx-write";
import { printable, printableJson } from "../chain/printable";
import { PRIVATE_FILES, RenderedFiles, renderFiles } from "../chain/render";
import { FlagSpecs, FlagValues, booleanFlag, parseCommandLine, requiredFlag, stringFlag } from "./args";
import { CHAIN_INPUT_FLAGS, chooseChain, readChainInputs, readSecret } from "./inputs";
import type { Io } from "./main";

const FLAGS: FlagSpecs = {
  ...CHAIN_INPUT_FLAGS,
  out: { type: "string", value: "DIR", help: "write fullchain.pem, chain.pem, cert.pem (and privkey.pem, haproxy.pem with --key) here" },
  json: { type: "boolean", help: "print the choice as JSON instead of the fullchain PEM" },
  "pfx-profile": { type: "string", value: "modern|legacy", help: "with --out and a key: also write cert.pfx (legacy = 3DES, for Windows Server 2016 and Azure App Service)" },
  "pfx-out-password-file": { type: "string", value: "FILE", help: "file holding the password that protects cert.pfx" },
};

const SYNOPSIS = "--leaf FILE [--key FILE] --pool FILE [--pool FILE ...] [--anchors FILE] [--profile NAME|name=FILE ...] [--policy POLICY] [--at ISO-8601] [--out DIR [--pfx-profile modern|legacy --pfx-out-password-file FILE]] [--json]";

export async function runBundle(argv: string[], io: Io): Promise<number> {
  const values = parseCommandLine("bundle", SYNOPSIS, argv, FLAGS, io);
  if (!values) return 0;
  const pfx = pfxRequest(values);
  const inputs = await readChainInputs("bundle", values);
  const choice = chooseChain(inputs);
  const files = renderFiles(choice.chain, inputs.key);
  const out = stringFlag(values, "out");
  const entries: OutputFile[] = Object.entries(files).map(([name, content]) => ({ name, content, secret: PRIVATE_FILES.includes(name as keyof RenderedFiles) }));
  if (pfx) {
    if (!inputs.key) throw new ChainsmithInputError("missing-argument", "chainsmith bundle: --pfx-profile needs the private key: give --key FILE (or a PFX as --leaf).");
    // The PKCS#12 writer (and its ASN.1 schemas) is loaded only when a PFX is asked for.
    const { writePfx } = await import("../chain/pfx-write");
    entries.push({ name: "cert.pfx", content: writePfx(choice.chain, inputs.key, pfx.password, { profile: pfx.profile }), secret: true });
  }
  const written = out ? writeFiles(out, entries) : [];
  if (booleanFlag(values, "json")) io.out(`${printableJson(choiceJson(choice, written), 2)}\n`);
  else io.out(files["fullchain.pem"]);
  for (const file of written) io.err(`wrote ${printable(file)}\n`);
  if (out) for (const stale of staleOutputs(out, entries)) io.err(`warning: ${printable(stale)} is from an earlier run and was not rewritten: it does not go with this chain. Remove it, or give what writes it (${KEY_OUTPUTS.includes(path.basename(stale)) ? "--key" : "--pfx-profile"}).\n`);
  return 0;
}

/** What bundle writes only with a key (or a PFX profile); left from an earlier run, they would not match the new chain. */
const KEY_OUTPUTS: readonly string[] = PRIVATE_FILES;
const OPTIONAL_OUTPUTS = [...KEY_OUTPUTS, "cert.pfx"];

function staleOutputs(dir: string, entries: OutputFile[]): string[] {
  return OPTIONAL_OUTPUTS.filter((name) => !entries.some((e) => e.name === name) && fs.existsSync(path.join(dir, name))).map((name) => path.join(dir, name));
}

/** The JSON contract of `bundle --json` (other tools read it; keep the names). */
export function choiceJson(choice: ChainChoice, files: string[] = []): object {
  return {
    chain: choice.chain.map(summary),
    anchor: { subject: choice.anchor.subject, sha256: choice.anchor.sha256 },
    policy: choice.policy,
    at: choice.at.toISOString(),
    profiles: choice.profiles,
    candidates: choice.candidates.map((c) => ({
      rank: c.rank,
      chosen: c.chosen,
      chain: c.chain.map(summary),
      anchor: { subject: c.anchor.subject, sha256: c.anchor.sha256 },
      profiles: c.profiles,
      why: c.why,
    })),
    refused: choice.refused,
    ...(choice.incomplete ? { incomplete: choice.incomplete } : {}),
    ...(files.length > 0 ? { files } : {}),
  };
}

/** The PFX to write, checked before any work is done. */
function pfxRequest(values: FlagValues): { profile: PfxProfile; password: string } | undefined {
  const profile = stringFlag(values, "pfx-profile");
  if (profile === undefined) return undefined;
  if (profile !== "modern" && profile !== "legacy") {
    throw new ChainsmithInputError("bad-argument", `chainsmith bundle: --pfx-profile '${profile}' is not a PFX profile; use modern (AES-256, SHA-256 MAC) or legacy (3DES, SHA-1 MAC).`);
  }
  if (stringFlag(values, "out") === undefined) throw new ChainsmithInputError("missing-argument", "chainsmith bundle: --pfx-profile writes cert.pfx into the --out DIR; give --out.");
  const passwordFile = requiredFlag("bundle", values, "pfx-out-password-file", FLAGS);
  return { profile, password: readSecret(passwordFile, "--pfx-out-password-file") };
}

function summary(certificate: Certificate): { subject: string; issuer: string; sha256: string } {
  return { subject: certificate.subject, issuer: certificate.issuer, sha256: certificate.sha256 };
}

/**
 * Writes each file through a temporary name and a rename, so a server never reads half a
 * file; key files are created 0600 so they are never readable by others, even briefly.
 */
interface OutputFile {
  name: string;
  content: string | Buffer;
  /** Holds a private key: 0600. */
  secret: boolean;
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = fs.constants;

function writeFiles(dir: string, files: OutputFile[]): string[] {
  try {
    makeDirectory(dir);
  } catch (e) {
    throw new ChainsmithInputError("out-unwritable", `--out ${dir}: cannot create the directory (${(e as NodeJS.ErrnoException).code}). Check the path and its permissions.`);
  }
  const written: string[] = [];
  for (const { name, content, secret } of files) {
    const target = path.join(dir, name);
    // Unguessable, created exclusively, never through a link; the mode set on the open file.
    const temporary = `${target}.${crypto.randomBytes(8).toString("hex")}.tmp`;
    const mode = secret ? 0o600 : 0o644;
    try {
      const fd = fs.openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
      try {
        fs.fchmodSync(fd, mode); // the umask may have taken bits off a certificate's 0644
        fs.writeFileSync(fd, content);
        fs.fsyncSync(fd);
        // Rename only the file written: another user who can write the directory may have swapped the name.
        if (fs.fstatSync(fd).ino !== fs.lstatSync(temporary).ino) throw Object.assign(new Error("replaced"), { code: "EREPLACED" });
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temporary, target);
    } catch (e) {
      fs.rmSync(temporary, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "EREPLACED" ? "its temporary file was replaced while it was written: another user writes in this directory" : code;
      throw new ChainsmithInputError("out-unwritable", `--out ${dir}: cannot write ${name} (${why}). Check the directory's permissions.`);
    }
    written.push(target);
  }
  return written;
}

/** mkdir -p, one level at a time: Node's recursive mkdir loops for ever under /proc. */
function makeDirectory(dir: string): void {
  const absolute = path.resolve(dir);
  const levels = absolute.split(path.sep).filter(Boolean);
  for (let i = 1; i <= levels.length; i++) {
    const level = path.sep + levels.slice(0, i).join(path.sep);
    try {
      fs.mkdirSync(level);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (!fs.statSync(level).isDirectory()) throw Object.assign(new Error(`${level} is not a directory`), { code: "ENOTDIR" });
    }
  }
}
