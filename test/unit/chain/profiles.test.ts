import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { bundledStoreFile, bundledStores, findBundledStore, trustStoreDir } from "../../../chain/bundled-stores";
import { checkServedChain, loadProfile } from "../../../chain/profiles";
import { certsOf, sectigo } from "../../../harness/scenarios";
import { inputError } from "./parse-input-error";

const commonNames = (spec: string) => new Set(loadProfile(spec).roots.map((r) => r.commonName));

describe("client profiles from the bundled real stores", () => {
  it("every store of the manifest is there with its licence, and every store there is in the manifest", () => {
    const stores = bundledStores();
    const files = ["cfssl_trust", "trust_stores_observatory"].flatMap((d) => fs.readdirSync(path.join(trustStoreDir(), d)).filter((f) => f.endsWith(".pem")).map((f) => `${d}/${f}`));
    expect(stores.map((s) => s.file).sort()).toEqual(files.sort());
    for (const store of stores) {
      expect(fs.readFileSync(path.join(trustStoreDir(), store.licenceFile), "utf8")).toMatch(store.licence === "MIT" ? /MIT License/ : /Redistribution and use in source and binary forms/);
      expect(store.date).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
      expect(store.sourceUrl).toMatch(/^https:\/\/github\.com\//);
    }
    const names = stores.map((s) => s.name);
    for (const wanted of ["android-2.2", "android-2.3", "android-3", "android-4.0", "android-4.4", "android", "windows", "apple", "java", "nss", "ubuntu-2017", "ios-2017", "osx-2017"]) expect(names).toContain(wanted);
  });

  it("a bundled name is a profile with its roots, date, source and behaviour, and no file", () => {
    const kitkat = loadProfile("android-4.4");
    expect(kitkat.roots).toHaveLength(149);
    expect(kitkat.description).toBe("Android 4.4 (KitKat): 149 roots as of 2017-03 (cfssl_trust kitkat.pem, BSD-2-Clause)");
    expect(kitkat.behaviour).toMatchObject({ id: "android-before-7.1.1", anchor: "ignores-expiry", aiaFetching: false });
    expect(loadProfile("ubuntu-2017").behaviour).toMatchObject({ id: "openssl-1.0", pathBuilding: "untrusted-first" });
    expect(loadProfile("windows").behaviour).toMatchObject({ aiaFetching: true });
    // Parsed once per process.
    expect(loadProfile("android-4.4").roots).toBe(kitkat.roots);
  });

  it("Android 4.4 (kitkat) trusts AAA Certificate Services and DST Root CA X3, but neither USERTrust nor R46/E46", () => {
    const kitkat = commonNames("android-4.4");
    expect(kitkat.has("AAA Certificate Services")).toBe(true);
    expect(kitkat.has("DST Root CA X3")).toBe(true);
    for (const absent of ["USERTrust RSA Certification Authority", "USERTrust ECC Certification Authority", "Sectigo Public Server Authentication Root R46", "Sectigo Public Server Authentication Root E46", "ISRG Root X1"]) {
      expect(kitkat.has(absent)).toBe(false);
    }
  });

  // The stores' README says all six hold R46/E46; the Java stores (jdk-17.0.2, fetched 2022) do not.
  it("Java's stores hold USERTrust and AAA but not yet R46/E46: a middle generation", () => {
    for (const store of ["java", "oracle-java"]) {
      const roots = commonNames(store);
      expect([store, roots.has("USERTrust RSA Certification Authority"), roots.has("AAA Certificate Services"), roots.has("Sectigo Public Server Authentication Root R46")]).toEqual([store, true, true, false]);
    }
  });

  it("the other current stores hold USERTrust RSA/ECC, R46, E46 and ISRG Root X1", () => {
    for (const store of ["nss", "android", "apple", "windows"]) {
      const roots = commonNames(store);
      for (const name of ["USERTrust RSA Certification Authority", "USERTrust ECC Certification Authority", "Sectigo Public Server Authentication Root R46", "Sectigo Public Server Authentication Root E46", "ISRG Root X1"]) {
        expect({ store, name, present: roots.has(name) }).toEqual({ store, name, present: true });
      }
    }
  });

  it("mozilla is Node's bundled store", () => {
    const mozilla = loadProfile("mozilla");
    expect(mozilla.roots).toHaveLength(tls.rootCertificates.length);
    expect(mozilla.roots.map((r) => r.commonName)).toContain("ISRG Root X1");
    expect(mozilla.description).toContain(process.version);
  });

  it("frozen:<date> keeps the mozilla roots made before that date", () => {
    const frozen = loadProfile("frozen:2017-03-01");
    const all = loadProfile("mozilla").roots;
    expect(frozen.name).toBe("frozen:2017-03-01");
    expect(frozen.roots.length).toBeGreaterThan(50);
    expect(frozen.roots.length).toBeLessThan(all.length);
    expect(frozen.roots.every((r) => r.notBefore < new Date("2017-03-01T00:00:00Z"))).toBe(true);
    const names = frozen.roots.map((r) => r.commonName);
    expect(names).toContain("ISRG Root X1");
    expect(names).not.toContain("ISRG Root X2");
    for (const bad of ["frozen:2017-13-01", "frozen:yesterday", "frozen:2017-02-30"]) {
      expect(inputError(() => loadProfile(bad)).code).toBe("bad-profile");
    }
  });

  it("system reads the OS bundle, and says what to do when it is missing", () => {
    const system = loadProfile("system");
    expect(system.roots.length).toBeGreaterThan(50);
    const error = inputError(() => loadProfile("system", { systemBundle: "/nonexistent/ca.crt" }));
    expect(error.code).toBe("system-store-missing");
    expect(error.message).toContain("Install the ca-certificates package");
  });

  it("reads PEM blocks from files with text around them and CRLF line ends", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "profiles-"));
    const file = path.join(dir, "mixed.pem");
    const blocks = fs.readFileSync(bundledStoreFile(findBundledStore("android-4.4")!), "latin1").match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    fs.writeFileSync(file, `# exported store\r\nsubject=first\r\n${blocks[0].replace(/\n/g, "\r\n")}\r\nnotes between\r\n${blocks[1]}\ntrailing text\n`);
    const custom = loadProfile(`device=${file}`);
    expect(custom.name).toBe("device");
    expect(custom.roots).toHaveLength(2);
  });

  it("rejects unknown specs, unreadable and empty files with a fix", () => {
    const unknown = inputError(() => loadProfile("netscape"));
    expect(unknown.code).toBe("bad-profile");
    expect(unknown.message).toContain("Use a bundled store (android-2.2, android-2.3,");
    expect(unknown.message).toContain("see 'chainsmith profiles'), mozilla, system, frozen:YYYY-MM-DD, or name=FILE");
    expect(inputError(() => loadProfile("old=/nonexistent/roots.pem")).code).toBe("profile-file-unreadable");
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "profiles-")), "empty.pem");
    fs.writeFileSync(empty, "no certificates here\n");
    expect(inputError(() => loadProfile(`old=${empty}`)).code).toBe("not-a-certificate");
  });
});

describe("checking a served chain as a client without AIA", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  beforeAll(async () => {
    s = await sectigo();
  });

  it("the legacy client needs USERTrust cross-signed by AAA in the served chain", () => {
    const short = checkServedChain(s.profiles.legacy, certsOf(s.leaf, s.r36, s.r46ByUsertrust), s.at);
    expect(short.trusted).toBe(false);
    expect(short.reason).toContain(`${s.r46ByUsertrust.cert.label}: issuer 'USERTrust RSA Certification Authority' not in pool or anchors`);
    const full = checkServedChain(s.profiles.legacy, certsOf(s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa), s.at);
    expect(full.trusted).toBe(true);
    expect(full.reason).toBe(`trusted via ${s.r36.cert.label} -> ${s.r46ByUsertrust.cert.label} -> ${s.usertrustRsaByAaa.cert.label} to root ${s.aaa.cert.label}`);
  });

  it("a modern client stops at its own R46 and ignores the rest of the served chain", () => {
    const verdict = checkServedChain(s.profiles.modern, certsOf(s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa), s.at);
    expect(verdict.trusted).toBe(true);
    expect(verdict.path?.chain).toHaveLength(2);
    expect(verdict.path?.anchor.sha256).toBe(s.r46.cert.sha256);
  });

  it("a missing intermediate is untrusted everywhere", () => {
    for (const profile of Object.values(s.profiles)) {
      const verdict = checkServedChain(profile, certsOf(s.leaf), s.at);
      expect(verdict.trusted).toBe(false);
      expect(verdict.reason).toContain("issuer 'Sectigo Public Server Authentication CA DV R36' not in pool or anchors");
    }
  });
});

describe("a real certificate judged with the real stores", () => {
  it("Entrust's L1B intermediate of 2008 (in Android 2.2's store, SHA-1 signed) chains to the real Entrust.net 2048 root of Android 4.4 and Ubuntu of 2017, which took SHA-1; not for Windows, which refuses SHA-1 since 2017, nor today's Mozilla store", () => {
    const l1b = loadProfile("android-2.2").roots.find((r) => r.commonName === "Entrust Certification Authority - L1B")!;
    const at = new Date("2016-06-01T00:00:00Z");
    const verdicts = Object.fromEntries(["android-4.4", "windows-2017", "ubuntu-2017", "nss"].map((name) => [name, checkServedChain(loadProfile(name), [l1b], at)]));
    expect(Object.fromEntries(Object.entries(verdicts).map(([name, v]) => [name, v.trusted]))).toEqual({ "android-4.4": true, "windows-2017": false, "ubuntu-2017": true, nss: false });
    expect(verdicts["android-4.4"]).toMatchObject({ decidedBy: "sha1-accepted" });
    expect(verdicts["android-4.4"].reason).toMatch(/^trusted via the leaf alone to root Entrust\.net Certification Authority \(2048\) \[[0-9a-f]{16}\]; .* is signed with SHA-1, which this client still accepts/);
    expect(verdicts["windows-2017"].reason).toContain("SHA-1 signatures are refused");
    expect(verdicts.nss.reason).toContain("issuer 'Entrust.net Certification Authority (2048)' not in pool or anchors");
    // After it expired (2018-08-25), no client accepts it.
    expect(checkServedChain(loadProfile("android-4.4"), [l1b], new Date("2019-01-01")).trusted).toBe(false);
  });
});

describe("a custom store with a behaviour", () => {
  it("name@BEHAVIOUR=FILE models the client as well as its roots; an unknown behaviour is refused with the list", () => {
    const file = bundledStoreFile(findBundledStore("android-4.4")!);
    const iot = loadProfile(`iot@openssl-1.0=${file}`);
    expect(iot.name).toBe("iot");
    expect(iot.behaviour).toMatchObject({ id: "openssl-1.0", pathBuilding: "untrusted-first" });
    expect(loadProfile(`plain=${file}`).behaviour).toBeUndefined();
    const error = inputError(() => loadProfile(`iot@netscape=${file}`));
    expect(error.code).toBe("bad-profile");
    expect(error.message).toContain("unknown behaviour 'netscape'. Use one of openssl, openssl-1.0, android-before-7.1.1,");
  });
});
