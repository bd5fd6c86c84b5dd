// The inputs of a chain choice, shared by `bundle`, `explain` and any subcommand that
// chooses a chain: the flags, reading the files, and the call into chain/policy.ts.
import type * as crypto from "node:crypto";
import { Certificate, uniqueCertificates } from "../chain/certificate";
import { ChainsmithInputError } from "../chain/errors";
import { isPfx } from "../chain/input-kind";
import { parsePrivateKey } from "../chain/key";
import { parseCertificates } from "../chain/parse";
import { ChainChoice, choosePath, parsePolicy } from "../chain/policy";
import { ClientProfile, distinctProfiles, loadProfile } from "../chain/profiles";
import { readBoundedFile } from "../chain/read-file";
import { FlagSpecs, FlagValues, listFlag, requiredFlag, stringFlag } from "./args";

export const CHAIN_INPUT_FLAGS: FlagSpecs = {
  leaf: { type: "string", value: "FILE", help: "the server certificate (PEM/DER/PKCS#7; certificates after the first join the pool; or a PFX)" },
  key: { type: "string", value: "FILE", help: "the leaf's private key (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8)" },
  "key-passphrase-file": { type: "string", value: "FILE", help: "file holding the passphrase of an encrypted key" },
  "pfx-password-file": { type: "string", value: "FILE", help: "file holding the password of a PFX given as --leaf" },
  pool: { type: "string", multiple: true, value: "FILE", help: "candidate intermediates and cross-signs (repeatable)" },
  anchors: { type: "string", multiple: true, value: "FILE", help: "your own trust anchors; alone, they make one custom client profile" },
  profile: { type: "string", multiple: true, value: "NAME|name=FILE", help: "client profile: a bundled store (android-4.4, windows, java, ...: 'chainsmith profiles'), mozilla, system, name[@BEHAVIOUR]=FILE (repeatable; default mozilla)" },
  policy: { type: "string", value: "POLICY", help: "widest (default), shortest, anchor=SUBJECT|SHA256, issuer=CN" },
  at: { type: "string", value: "ISO-8601", help: "check validity at this time instead of now" },
};

export interface ChainInputs {
  leaf: Certificate;
  key?: crypto.KeyObject;
  pool: Certificate[];
  profiles: ClientProfile[];
  /** Extra anchors beside the profiles (only when profiles were given too). */
  anchors: Certificate[];
  policy: string;
  at: Date;
}

/** Reads the files the flags name; every problem is a ChainsmithInputError (exit 2). */
export async function readChainInputs(command: string, values: FlagValues): Promise<ChainInputs> {
  const leafFile = requiredFlag(command, values, "leaf", CHAIN_INPUT_FLAGS);
  const policy = stringFlag(values, "policy") ?? "widest";
  parsePolicy(policy); // a bad policy is bad input: fail before any file is read
  const at = parseTime(stringFlag(values, "at"));
  const fromLeaf = await readLeafFile(leafFile, stringFlag(values, "pfx-password-file"));
  const keyFile = stringFlag(values, "key");
  const passphraseFile = stringFlag(values, "key-passphrase-file");
  const passphrase = passphraseFile === undefined ? undefined : readSecret(passphraseFile, "--key-passphrase-file");
  const key = keyFile ? parsePrivateKey(readInput(keyFile, "--key"), keyFile, passphrase) : fromLeaf.key;
  const pool = uniqueCertificates([...fromLeaf.rest, ...listFlag(values, "pool").flatMap((file) => parseCertificates(readInput(file, "--pool"), file))]);
  const anchors = uniqueCertificates(listFlag(values, "anchors").flatMap((file) => parseCertificates(readInput(file, "--anchors"), file)));
  const specs = listFlag(values, "profile");
  if (specs.length === 0 && anchors.length > 0) {
    const profile = { name: "anchors", description: `${anchors.length} roots from --anchors`, roots: anchors };
    return { leaf: fromLeaf.leaf, key, pool, profiles: [profile], anchors: [], policy, at };
  }
  const profiles = distinctProfiles((specs.length > 0 ? specs : ["mozilla"]).map((spec) => loadProfile(spec)));
  return { leaf: fromLeaf.leaf, key, pool, profiles, anchors, policy, at };
}

/** Chooses the chain; ChainBuildError (exit 1) when no valid path exists. */
export function chooseChain(inputs: ChainInputs): ChainChoice {
  return choosePath(inputs.leaf, inputs.pool, { profiles: inputs.profiles, policy: inputs.policy, at: inputs.at, anchors: inputs.anchors });
}

async function readLeafFile(file: string, passwordFile: string | undefined): Promise<{ leaf: Certificate; rest: Certificate[]; key?: crypto.KeyObject }> {
  const bytes = readInput(file, "--leaf");
  if (isPfx(bytes)) {
    if (!passwordFile) {
      throw new ChainsmithInputError("pfx-needs-password", `${file}: this is a PKCS#12 (PFX) file; give its password with --pfx-password-file FILE.`);
    }
    // The PKCS#12 reader (and its ASN.1 schemas) is loaded only for a PFX.
    const { readPfx } = await import("../chain/pfx-read");
    const contents = readPfx(bytes, readSecret(passwordFile, "--pfx-password-file"), file);
    const leaf = contents.leaf ?? contents.certificates[0];
    if (!leaf) throw new ChainsmithInputError("no-certificate", `${file}: the PFX holds no certificate. Export it again with the certificate.`);
    return { leaf, rest: contents.certificates.filter((c) => c !== leaf), key: contents.key };
  }
  const [leaf, ...rest] = parseCertificates(bytes, file);
  return { leaf, rest };
}

/** The bytes of a file named by a flag, bounded (chain/read-file.ts); an unreadable file is a clear input error. */
export function readInput(file: string, flag: string): Buffer {
  return readBoundedFile(file, `${flag} ${file}`);
}

/** A password or passphrase from a file, without its trailing newline. */
export function readSecret(file: string, flag: string): string {
  return readInput(file, flag).toString("utf8").replace(/\r?\n$/, "");
}

function parseTime(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) {
    throw new ChainsmithInputError("bad-time", `--at '${value}' is not an ISO-8601 time. Write e.g. 2021-10-01 or 2021-10-01T12:00:00Z.`);
  }
  return at;
}
