/**
 * The validation corpus: certification-path cases made with the test PKI, in the manner of
 * C2SP x509-limbo (whose JSON corpus is not reachable here), each with the verdict RFC 5280
 * and the best validators give. Unit tests run chainsmith's path search on every case;
 * the integration test (test/integration/chain/peers.test.ts) runs chainsmith's CLI, Go's
 * crypto/x509 and OpenSSL on the same files and compares.
 *
 * A case names a leaf, a pool and anchors; "accept" means a valid path to an anchor exists
 * for a TLS server (no host name), "reject" that none does.
 */
import { CertOptions, Issued, Pki } from "../pki";
import { algorithmCases } from "./algorithm-cases";
import { extensionCases } from "./extension-cases";
import { nameConstraintCases } from "./name-constraint-cases";
import { pathCases } from "./path-cases";

export type Verdict = "accept" | "reject";

export type Validator = "chainsmith" | "go" | "openssl";

/** Why `openssl verify` (no -auth_level) accepts weak algorithms and keys. */
export const OPENSSL_NO_ALGORITHM_POLICY = { verdict: "accept" as const, why: "openssl verify applies no signature or key policy unless -auth_level is given" };

/** Why OpenSSL misses a valid path beside a refused one. */
export const OPENSSL_ONE_PATH = { verdict: "reject" as const, why: "OpenSSL builds one path and does not try another when that one fails" };

/** The verdict `validator` is expected to give on `c`. */
export function expectedOf(c: Pick<ValidationCase, "expected" | "differs">, validator: Validator): Verdict {
  return c.differs?.[validator]?.verdict ?? c.expected;
}

export interface ValidationCase {
  /** "<family>::<what>", e.g. "nc::permitted-dns-mismatch". */
  id: string;
  /** What the case checks, in one line. */
  about: string;
  expected: Verdict;
  /** For a rejection: the refusal code chainsmith's dead ends must name. */
  code?: string;
  leaf: Issued;
  pool: Issued[];
  anchors: Issued[];
  at: Date;
  /** Certificates a chosen chain must not contain (a valid path exists beside a refused shorter one). */
  avoid?: Issued[];
  /** Where a validator decides otherwise on purpose (or, for chainsmith, by a stated limit): its verdict and why. */
  differs?: Partial<Record<Validator, { verdict: Verdict; why: string }>>;
}

export type CaseInput = Omit<ValidationCase, "at">;

/** Every case, made fresh (keys and certificates are new on each call). */
export async function validationCorpus(pki = new Pki()): Promise<ValidationCase[]> {
  const families = [nameConstraintCases, algorithmCases, extensionCases, pathCases];
  const cases: ValidationCase[] = [];
  for (const family of families) for (const c of await family(pki)) cases.push({ ...c, at: pki.now });
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`validation corpus: duplicate case id ${c.id}`);
    ids.add(c.id);
  }
  return cases;
}

export interface LinearOptions {
  root?: CertOptions;
  ca?: CertOptions;
  leaf?: CertOptions;
  /** The leaf's name (and DNS SAN, unless leaf options say otherwise). */
  leafName?: string;
}

/** The common shape: a root (the anchor), one intermediate, a leaf. Names are the case's own. */
export async function linear(pki: Pki, id: string, options: LinearOptions = {}): Promise<{ root: Issued; ca: Issued; leaf: Issued }> {
  const root = await pki.root(`${id} Root`, options.root);
  const ca = await pki.intermediate(`${id} CA`, root, options.ca);
  const leaf = await pki.leaf(options.leafName ?? "www.example.com", ca, options.leaf);
  return { root, ca, leaf };
}

/** A linear case: leaf, [intermediate] as the pool, root as the anchor. */
export async function linearCase(pki: Pki, { root, ca, leaf, leafName, ...input }: Omit<CaseInput, "leaf" | "pool" | "anchors"> & LinearOptions): Promise<CaseInput> {
  const made = await linear(pki, input.id, { root, ca, leaf, leafName });
  return { ...input, leaf: made.leaf, pool: [made.ca], anchors: [made.root] };
}
