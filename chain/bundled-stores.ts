/**
 * The real client root stores shipped in chain/trust-stores/ (manifest.json names each one:
 * platform, date, source, licence and the client behaviour it comes with). Nothing is read
 * until a profile names a store, and each store is parsed once per process: the CLI starts
 * without touching the 4 MB of PEM.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Certificate } from "./certificate";
import { BehaviourId, isBehaviourId } from "./client-behaviour";
import { parseCertificates } from "./parse";

export interface BundledStore {
  /** The profile name ("android-4.4"). */
  name: string;
  platform: string;
  /** When the store was taken from its platform (YYYY-MM or YYYY-MM-DD). */
  date: string;
  /** The PEM file, relative to the trust-stores folder. */
  file: string;
  behaviour: BehaviourId;
  /** The project and file it was copied from ("cfssl_trust kitkat.pem"). */
  source: string;
  /** Where that project took it from, when it says. */
  origin?: string;
  sourceUrl: string;
  licence: string;
  licenceFile: string;
}

// The folder beside this module in the sources; from dist/chain/, the package's own copy.
const STORE_DIRS = [path.join(__dirname, "trust-stores"), path.join(__dirname, "..", "..", "chain", "trust-stores")];

let manifestMemo: BundledStore[] | undefined;
const rootsMemo = new Map<string, Certificate[]>();

/** The folder that holds manifest.json and the stores. */
export function trustStoreDir(): string {
  const dir = STORE_DIRS.find((d) => fs.existsSync(path.join(d, "manifest.json")));
  if (!dir) throw new Error(`chainsmith's bundled trust stores are missing (looked in ${STORE_DIRS.join(", ")}): the package is incomplete; reinstall it.`);
  return dir;
}

/** Every bundled store, in the manifest's order. */
export function bundledStores(): BundledStore[] {
  if (!manifestMemo) {
    const manifest = JSON.parse(fs.readFileSync(path.join(trustStoreDir(), "manifest.json"), "utf8")) as { profiles: BundledStore[] };
    for (const store of manifest.profiles) {
      if (!isBehaviourId(store.behaviour)) throw new Error(`trust-stores/manifest.json: ${store.name} names an unknown behaviour '${store.behaviour}'`);
    }
    manifestMemo = manifest.profiles;
  }
  return manifestMemo;
}

export function findBundledStore(name: string): BundledStore | undefined {
  return bundledStores().find((s) => s.name === name);
}

/** The PEM file of a bundled store. */
export function bundledStoreFile(store: BundledStore): string {
  return path.join(trustStoreDir(), store.file);
}

/** The roots of a bundled store, parsed on first use. */
export function bundledRoots(store: BundledStore): Certificate[] {
  let roots = rootsMemo.get(store.name);
  if (!roots) {
    roots = parseCertificates(fs.readFileSync(bundledStoreFile(store)), `bundled store ${store.name} (${store.file})`);
    rootsMemo.set(store.name, roots);
  }
  return roots;
}
