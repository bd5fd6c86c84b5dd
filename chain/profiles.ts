/**
 * Client profiles: what a kind of client trusts (its roots), what it does with a served
 * chain (its behaviour, chain/client-behaviour.ts), and whether it accepts one.
 * `checkServedChain` builds paths from the leaf through the certificates the server sent
 * to the profile's roots with the one path enumerator (chain/paths.ts), and says which
 * behaviour decided the verdict where one did (chain/client-verdict.ts).
 */
import * as fs from "node:fs";
import * as tls from "node:tls";
import { BundledStore, bundledRoots, bundledStores, findBundledStore } from "./bundled-stores";
import { Certificate } from "./certificate";
import { ClientBehaviour, DEFAULT_BEHAVIOUR, behaviour, behaviourIds, isBehaviourId } from "./client-behaviour";
import { CheckOptions, ProfileVerdict, clientVerdict } from "./client-verdict";
import { ChainsmithInputError } from "./errors";
import { parseCertificates } from "./parse";

export type { DecidingBehaviour, ProfileVerdict, CheckOptions } from "./client-verdict";
import { BudgetLimits, CertPath, searchPaths } from "./paths";
import { readBoundedFile } from "./read-file";

export interface ClientProfile {
  /** Short name used in specs, tables and outputs ("mozilla", "android-4.4"). */
  name: string;
  description: string;
  /** The trust anchors of this client. */
  roots: Certificate[];
  /** What the client does besides holding its roots; default: a current OpenSSL client. */
  behaviour?: ClientBehaviour;
}

/** The OS bundle of Debian, Ubuntu and Alpine. */
export const SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Profiles by distinct names: two of one name would make every verdict ambiguous. */
export function distinctProfiles(profiles: ClientProfile[]): ClientProfile[] {
  const names = profiles.map((p) => p.name);
  const twice = names.find((n, k) => names.indexOf(n) !== k);
  if (twice !== undefined) {
    throw new ChainsmithInputError("duplicate-profile-name", `Two client profiles are named ${twice}: give each its own name (name=FILE, or { name, roots }), or drop the repeat.`);
  }
  return profiles;
}

/**
 * A profile from a spec:
 * - a bundled store's name (`android-4.4`, `windows`, `java`, ...; `chainsmith profiles`
 *   lists them): the real roots of that platform, shipped with chainsmith, and its behaviour;
 * - `mozilla`: the Mozilla roots bundled with Node.js (tls.rootCertificates);
 * - `system`: the OS bundle (`systemBundle`, default /etc/ssl/certs/ca-certificates.crt);
 * - `frozen:YYYY-MM-DD`: the Mozilla roots whose notBefore is before that date. An
 *   approximation (it lacks roots removed since, such as DST Root CA X3): prefer a bundled
 *   store of that time (android-4.4, ubuntu-2017, ...);
 * - `name=FILE`: a custom profile from a file of roots: PEM (text around the blocks is
 *   skipped), DER or PKCS#7, read by chain/parse.ts; `name@BEHAVIOUR=FILE` gives the
 *   client's behaviour too (`iot@openssl-1.0=store.pem`; default openssl).
 */
export function loadProfile(spec: string, options: { systemBundle?: string } = {}): ClientProfile {
  const trimmed = spec.trim();
  const bundled = findBundledStore(trimmed);
  if (bundled) return bundledProfile(bundled);
  if (trimmed === "mozilla") return mozillaProfile();
  if (trimmed === "system") return systemProfile(options.systemBundle ?? SYSTEM_BUNDLE);
  if (trimmed.startsWith("frozen:")) return frozenProfile(trimmed.slice("frozen:".length));
  const eq = trimmed.indexOf("=");
  if (eq > 0) {
    const label = trimmed.slice(0, eq).trim();
    const at = label.indexOf("@");
    const name = at < 0 ? label : label.slice(0, at);
    const behaviourId = at < 0 ? undefined : label.slice(at + 1);
    const file = trimmed.slice(eq + 1).trim();
    if (behaviourId !== undefined && !isBehaviourId(behaviourId)) {
      throw new ChainsmithInputError("bad-profile", `Profile '${spec}': unknown behaviour '${behaviourId}'. Use one of ${behaviourIds().join(", ")} (see 'chainsmith profiles').`);
    }
    let content: Buffer;
    try {
      content = readBoundedFile(file, file);
    } catch (e) {
      throw new ChainsmithInputError("profile-file-unreadable", `Profile '${name}': cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Give the path of a PEM file of root certificates.`);
    }
    const profile = profileFromFile(name, content, file);
    return behaviourId === undefined ? profile : { ...profile, behaviour: behaviour(behaviourId) };
  }
  throw new ChainsmithInputError(
    "bad-profile",
    `Unknown client profile '${spec}'. Use a bundled store (${bundledStores().map((s) => s.name).join(", ")}; see 'chainsmith profiles'), mozilla, system, frozen:YYYY-MM-DD, or name=FILE (a PEM file of the client's roots).`,
  );
}

/** A custom profile from a file's content (PEM with any text around the blocks, DER or PKCS#7) holding the client's roots. */
export function profileFromFile(name: string, content: Buffer | string, source: string): ClientProfile {
  const roots = parseCertificates(content, source);
  return { name, description: `${roots.length} roots from ${source}`, roots };
}

/** Whether `profile` accepts `served` (wire order, leaf first) at time `at`, and which behaviour decided it. */
export function checkServedChain(profile: ClientProfile, served: readonly Certificate[], at: Date, options: CheckOptions = {}): ProfileVerdict {
  return clientVerdict(profile.name, profile.roots, profile.behaviour ?? behaviour(DEFAULT_BEHAVIOUR), served, at, options);
}

function bundledProfile(store: BundledStore): ClientProfile {
  const roots = bundledRoots(store);
  return {
    name: store.name,
    description: `${store.platform}: ${roots.length} roots as of ${store.date} (${store.source}, ${store.licence})`,
    roots,
    behaviour: behaviour(store.behaviour),
  };
}

let mozillaMemo: ClientProfile | undefined;

function mozillaProfile(): ClientProfile {
  if (!mozillaMemo) {
    const roots = parseCertificates(tls.rootCertificates.join("\n"), "Node.js bundled roots");
    mozillaMemo = { name: "mozilla", description: `Mozilla roots bundled with Node.js ${process.version} (${roots.length} roots)`, roots };
  }
  return mozillaMemo;
}

function systemProfile(bundle: string): ClientProfile {
  if (!fs.existsSync(bundle)) {
    throw new ChainsmithInputError(
      "system-store-missing",
      `Profile 'system': ${bundle} does not exist on this machine. Install the ca-certificates package, or give the store as a custom profile (name=FILE).`,
    );
  }
  const profile = profileFromFile("system", fs.readFileSync(bundle), bundle);
  return { ...profile, description: `the operating system's roots (${bundle}, ${profile.roots.length} roots)` };
}

function frozenProfile(date: string): ClientProfile {
  const when = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
  if (!when || Number.isNaN(when.getTime()) || when.toISOString().slice(0, 10) !== date) {
    throw new ChainsmithInputError("bad-profile", `Profile 'frozen:${date}': '${date}' is not a date. Write it as YYYY-MM-DD, e.g. frozen:2017-03-01.`);
  }
  const roots = mozillaProfile().roots.filter((r) => r.notBefore.getTime() < when.getTime());
  return {
    name: `frozen:${date}`,
    description: `Mozilla roots (bundled with Node.js) made before ${date}: approximates a device last updated then (${roots.length} roots)`,
    roots,
  };
}
