// A demo PKI with the real-world shape, made with openssl (the demo cannot use the test
// fixtures): an old root every legacy client trusts, a new self-signed root, the new root
// cross-signed by the old one (same subject, same key: Sectigo R46 by USERTrust, ISRG X1 by
// DST X3), an intermediate under the new root, and a leaf for localhost.
//
// makeDemoPki(dir) makes it once; makeLeaf(dir, name) adds another leaf (a renewal).
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const CA_EXTENSIONS = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
const LEAF_EXTENSIONS = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function key(dir: string, name: string): void {
  if (!fs.existsSync(path.join(dir, `${name}.key`))) openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`], dir);
}

function selfSigned(dir: string, name: string, subject: string, days: number): void {
  key(dir, name);
  fs.writeFileSync(path.join(dir, "ca.ext"), CA_EXTENSIONS.replace("keyid\n", "keyid:always\n"));
  openssl(["req", "-x509", "-new", "-sha256", "-key", `${name}.key`, "-subj", `/CN=${subject}`, "-days", String(days), "-extensions", "v3", "-config", configFor(dir, "ca.ext"), "-out", `${name}.pem`], dir);
}

// Signs `subjectKey`'s public key as `subject` with the issuer's key.
function issue(dir: string, out: string, subjectKey: string, subject: string, issuer: string, extensions: string, days: number): void {
  fs.writeFileSync(path.join(dir, "issue.ext"), extensions);
  openssl(["req", "-new", "-key", `${subjectKey}.key`, "-subj", `/CN=${subject}`, "-out", "issue.csr"], dir);
  const serial = `0x${crypto.randomBytes(12).toString("hex")}`;
  openssl(["x509", "-req", "-sha256", "-in", "issue.csr", "-CA", `${issuer}.pem`, "-CAkey", `${issuer}.key`, "-set_serial", serial, "-days", String(days), "-extfile", "issue.ext", "-out", `${out}.pem`], dir);
  for (const f of ["issue.csr", "issue.ext"]) fs.rmSync(path.join(dir, f));
}

// `req -x509` reads extensions from a config section.
function configFor(dir: string, extFile: string): string {
  const file = path.join(dir, "req.cnf");
  fs.writeFileSync(file, `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${fs.readFileSync(path.join(dir, extFile), "utf8")}`);
  return file;
}

/** Adds a leaf for localhost and 127.0.0.1, issued by the intermediate. */
export function makeLeaf(dir: string, name: string): { cert: string; key: string } {
  if (!fs.existsSync(path.join(dir, `${name}.pem`))) {
    key(dir, name);
    issue(dir, name, name, "localhost", "intermediate", LEAF_EXTENSIONS, 90);
  }
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

export interface DemoPki {
  legacyRoot: string;
  newRoot: string;
  crossSign: string;
  intermediate: string;
  leaf: { cert: string; key: string };
}

/** Makes the demo PKI in `dir` unless it is there; returns the paths of its files. */
export function makeDemoPki(dir: string): DemoPki {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, "intermediate.pem"))) {
    selfSigned(dir, "legacy-root", "Demo Legacy Root CA", 7300);
    selfSigned(dir, "root-r46", "Demo Root R46", 3650);
    key(dir, "root-r46");
    issue(dir, "root-r46-by-legacy", "root-r46", "Demo Root R46", "legacy-root", CA_EXTENSIONS, 3000);
    key(dir, "intermediate");
    issue(dir, "intermediate", "intermediate", "Demo DV CA R36", "root-r46", CA_EXTENSIONS.replace("CA:TRUE", "CA:TRUE,pathlen:0"), 1800);
    for (const f of ["ca.ext", "req.cnf"]) fs.rmSync(path.join(dir, f), { force: true });
  }
  const file = (name: string) => path.join(dir, name);
  return {
    legacyRoot: file("legacy-root.pem"),
    newRoot: file("root-r46.pem"),
    crossSign: file("root-r46-by-legacy.pem"),
    intermediate: file("intermediate.pem"),
    leaf: makeLeaf(dir, "leaf"),
  };
}
