/**
 * Client profiles: what a kind of client trusts, and whether it accepts a served chain.
 * A client without AIA fetching (Android, Firefox, curl, Java, Python, Go, IoT) builds a
 * path from the leaf through the certificates the server sent to one of its own roots;
 * `checkServedChain` does exactly that with the one path enumerator (chain/paths.ts).
 */
import * as fs from "node:fs";
import * as tls from "node:tls";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { parseCertificates } from "./parse";
import { BudgetLimits, CertPath, searchPaths } from "./paths";
import { readBoundedFile } from "./read-file";

export interface ClientProfile {
  /** Short name used in specs, tables and outputs ("mozilla", "kitkat"). */
  name: string;
  description: string;
  /** The trust anchors of this client. */
  roots: Certificate[];
}

/** Whether one client accepts a served chain, by which path, and why. */
export interface ProfileVerdict {
  profile: string;
  trusted: boolean;
  /** The shortest path the client can build from the served certificates, when trusted. */
  path?: CertPath;
  /** "trusted via X -> Y to root Z", or the dead ends. */
  reason: string;
}

/** The OS bundle of Debian, Ubuntu and Alpine. */
export const SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * A profile from a spec:
 * - `mozilla`: the Mozilla roots bundled with Node.js (tls.rootCertificates);
 * - `system`: the OS bundle (`systemBundle`, default /etc/ssl/certs/ca-certificates.crt);
 * - `frozen:YYYY-MM-DD`: the Mozilla roots whose notBefore is before that date. An
 *   approximation of a device last updated then: it lacks roots added later, but it also
 *   lacks roots removed from the bundle since (DST Root CA X3), which such a device had.
 *   For a real old device, give its store as a custom profile;
 * - `name=FILE`: a custom profile from a file of roots: PEM (text around the blocks is
 *   skipped), DER or PKCS#7, read by chain/parse.ts.
 */
export function loadProfile(spec: string, options: { systemBundle?: string } = {}): ClientProfile {
  const trimmed = spec.trim();
  if (trimmed === "mozilla") return mozillaProfile();
  if (trimmed === "system") return systemProfile(options.systemBundle ?? SYSTEM_BUNDLE);
  if (trimmed.startsWith("frozen:")) return frozenProfile(trimmed.slice("frozen:".length));
  const eq = trimmed.indexOf("=");
  if (eq > 0) {
    const name = trimmed.slice(0, eq).trim();
    const file = trimmed.slice(eq + 1).trim();
    let content: Buffer;
    try {
      content = readBoundedFile(file, file);
    } catch (e) {
      throw new ChainsmithInputError("profile-file-unreadable", `Profile '${name}': cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Give the path of a PEM file of root certificates.`);
    }
    return profileFromFile(name, content, file);
  }
  throw new ChainsmithInputError(
    "bad-profile",
    `Unknown client profile '${spec}'. Use mozilla, system, frozen:YYYY-MM-DD, or name=FILE (a PEM file of the client's roots).`,
  );
}

/** A custom profile from a file's content (PEM with any text around the blocks, DER or PKCS#7) holding the client's roots. */
export function profileFromFile(name: string, content: Buffer | string, source: string): ClientProfile {
  const roots = parseCertificates(content, source);
  return { name, description: `${roots.length} roots from ${source}`, roots };
}

/** Whether `profile` accepts `served` (wire order, leaf first) at time `at`, without AIA fetching. */
export function checkServedChain(profile: ClientProfile, served: readonly Certificate[], at: Date, budget?: Partial<BudgetLimits>): ProfileVerdict {
  if (served.length === 0) return { profile: profile.name, trusted: false, reason: "nothing was served" };
  const search = searchPaths(served[0], served.slice(1), { at, anchors: profile.roots, budget });
  const path = search.paths[0];
  if (path) {
    const via = path.chain.slice(1).map((c) => c.label);
    return {
      profile: profile.name,
      trusted: true,
      path,
      reason: `trusted via ${via.length ? via.join(" -> ") : "the leaf alone"} to root ${path.anchor.label}`,
    };
  }
  return { profile: profile.name, trusted: false, reason: `no path to its roots: ${search.deadEnds.join("; ")}` };
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
