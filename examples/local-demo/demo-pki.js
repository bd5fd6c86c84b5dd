// A demo PKI with the real-world shape, made with openssl (the demo cannot use the test
// fixtures): an old root every legacy client trusts, a new self-signed root, the new root
// cross-signed by the old one (same subject, same key: Sectigo R46 by USERTrust, ISRG X1 by
// DST X3), an intermediate under the new root, and a leaf for localhost.
//
//   node demo-pki.js <dir>            makes the PKI in <dir> (idempotent)
//   node demo-pki.js <dir> <name>     adds another leaf <name>.pem/<name>.key (a renewal)
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const CA_EXTENSIONS = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
const LEAF_EXTENSIONS = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function key(dir, name) {
  if (!fs.existsSync(path.join(dir, `${name}.key`))) openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`], dir);
}

function selfSigned(dir, name, subject, days) {
  key(dir, name);
  fs.writeFileSync(path.join(dir, "ca.ext"), CA_EXTENSIONS.replace("keyid\n", "keyid:always\n"));
  openssl(["req", "-x509", "-new", "-sha256", "-key", `${name}.key`, "-subj", `/CN=${subject}`, "-days", String(days), "-extensions", "v3", "-config", configFor(dir, "ca.ext"), "-out", `${name}.pem`], dir);
}

// Signs `subjectKey`'s public key as `subject` with the issuer's key.
function issue(dir, out, subjectKey, subject, issuer, extensions, days) {
  fs.writeFileSync(path.join(dir, "issue.ext"), extensions);
  openssl(["req", "-new", "-key", `${subjectKey}.key`, "-subj", `/CN=${subject}`, "-out", "issue.csr"], dir);
  const serial = `0x${require("node:crypto").randomBytes(12).toString("hex")}`;
  openssl(["x509", "-req", "-sha256", "-in", "issue.csr", "-CA", `${issuer}.pem`, "-CAkey", `${issuer}.key`, "-set_serial", serial, "-days", String(days), "-extfile", "issue.ext", "-out", `${out}.pem`], dir);
  for (const f of ["issue.csr", "issue.ext"]) fs.rmSync(path.join(dir, f));
}

// `req -x509` reads extensions from a config section.
function configFor(dir, extFile) {
  const file = path.join(dir, "req.cnf");
  fs.writeFileSync(file, `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${fs.readFileSync(path.join(dir, extFile), "utf8")}`);
  return file;
}

/** Adds a leaf for localhost and 127.0.0.1, issued by the intermediate. */
function makeLeaf(dir, name) {
  if (!fs.existsSync(path.join(dir, `${name}.pem`))) {
    key(dir, name);
    issue(dir, name, name, "localhost", "intermediate", LEAF_EXTENSIONS, 90);
  }
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

/** Makes the demo PKI in `dir` unless it is there; returns the paths of its files. */
function makeDemoPki(dir) {
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
  const file = (name) => path.join(dir, name);
  return {
    legacyRoot: file("legacy-root.pem"),
    newRoot: file("root-r46.pem"),
    crossSign: file("root-r46-by-legacy.pem"),
    intermediate: file("intermediate.pem"),
    leaf: makeLeaf(dir, "leaf"),
  };
}

module.exports = { makeDemoPki, makeLeaf };

if (require.main === module) {
  const [dir, leafName] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: node demo-pki.js <dir> [leaf-name]");
    process.exit(2);
  }
  makeDemoPki(dir);
  if (leafName) makeLeaf(dir, leafName);
}
