// The files a deployment writes, rendered from the chain and key: content, hash and
// attributes per file, plus what the drift check needs to explain a change later.
import * as crypto from "node:crypto";
import { parseCertificates } from "../../chain/parse";
import { parsePrivateKey } from "../../chain/key";
import { renderFiles, type RenderedFiles } from "../../chain/render";
import { writePfx, type PfxProfile } from "../../chain/pfx-write";
import { ChainsmithInputError } from "../../chain/errors";
import { assertValidAt } from "../../chain/validity";
import type { FilePlan, FileRole, PlannedFile } from "./presets";
import { chainEntry, type ChainEntry } from "../../chain/served-comparison";
import type { KnownContent } from "./drift";

export interface TlsMaterial {
  /** PEM certificates in the order the server must send them: leaf first, anchor left out. */
  chainPem: string;
  /** The leaf's private key (PEM or DER as text). */
  privateKeyPem: string;
  keyPassphrase?: string;
  /** Needed only when a pfx file is written. */
  pfxPassword?: string;
  pfxProfile?: PfxProfile;
}

export interface DesiredFile extends PlannedFile {
  content: Buffer;
  sha256: string;
}

export interface DesiredState {
  files: DesiredFile[];
  chain: ChainEntry[];
  knownContents: KnownContent[];
  /** Strings that must never appear in a message (key PEM, passphrases). */
  secrets: string[];
}

const RENDERED_NAME: Record<Exclude<FileRole, "pfx">, keyof RenderedFiles> = {
  fullchain: "fullchain.pem",
  chain: "chain.pem",
  cert: "cert.pem",
  privkey: "privkey.pem",
  combined: "haproxy.pem",
};

/** Checks the chain (valid now, in order, no anchor) and that the key belongs to the leaf, then renders every planned file. */
export function buildDesiredState(material: TlsMaterial, plan: FilePlan, now: Date = new Date()): DesiredState {
  const chain = parseCertificates(material.chainPem, "the chain");
  assertValidAt(chain, now);
  const key = parsePrivateKey(material.privateKeyPem, "the private key", material.keyPassphrase);
  const rendered = renderFiles(chain, key);
  const files = plan.files.map((file): DesiredFile => {
    const content = file.role === "pfx" ? pfxOf(material, chain, key) : Buffer.from(rendered[RENDERED_NAME[file.role]] ?? "", "utf8");
    return { ...file, content, sha256: sha256(content) };
  });
  const knownContents: KnownContent[] = [{ sha256: sha256(Buffer.from(rendered["cert.pem"])), description: "the leaf only" }];
  if (chain.length > 1) knownContents.push({ sha256: sha256(Buffer.from(rendered["chain.pem"])), description: "the intermediates only, without the leaf" });
  return {
    files,
    chain: chain.map(chainEntry),
    knownContents,
    secrets: [material.privateKeyPem, rendered["privkey.pem"] ?? "", material.keyPassphrase ?? "", material.pfxPassword ?? ""].filter((s) => s.length > 0),
  };
}

export function sha256(content: Buffer): string {
  return crypto.createHash("sha256").update(content).digest("hex");
}

function pfxOf(material: TlsMaterial, chain: ReturnType<typeof parseCertificates>, key: crypto.KeyObject): Buffer {
  if (material.pfxPassword === undefined) {
    throw new ChainsmithInputError("pfx-password-required", "A pfx file is planned but no pfxPassword was given. Give pfxPassword (a secret), or leave the pfx file out.");
  }
  return writePfx(chain, key, material.pfxPassword, { profile: material.pfxProfile ?? "modern" });
}
