import { beforeAll, describe, expect, it } from "vitest";
import { renderExplanation, renderExplanationMarkdown } from "../../../chain/explain";
import { judgeServed } from "../../../chain/judge";
import { ChainChoice, choosePath } from "../../../chain/policy";
import { Pki } from "../../../harness/pki";
import { certsOf, profileOf, sectigo } from "../../../harness/scenarios";

describe("explaining a choice", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  let choice: ChainChoice;
  beforeAll(async () => {
    s = await sectigo();
    choice = choosePath(s.leaf.cert, certsOf(...s.rsaPool), { profiles: Object.values(s.profiles), at: s.at });
  });

  it("prints every candidate as a table row, the chosen one marked, with why the others lost", () => {
    const lines = renderExplanation(choice).split("\n");
    expect(lines[0]).toBe(`Chain for ${s.leaf.cert.label}, policy widest, at 2026-06-01T00:00:00.000Z`);
    expect(lines[1]).toBe("Profiles: modern, older, legacy");
    expect(lines[3]).toMatch(/^#\s+certs\s+profiles\s+anchor\s+why$/);
    const rows = lines.filter((l) => /^\d /.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^1  \*  4 +3\/3 modern, older, legacy +AAA Certificate Services \[[0-9a-f]{16}\] +chosen by widest/);
    expect(rows[1]).toMatch(/^2 {5}3 +2\/3 modern, older +USERTrust RSA .* lost: satisfies 2 of 3 profiles, the winner 3 \(not legacy\)$/);
    expect(rows[2]).toContain("lost: satisfies 1 of 3 profiles, the winner 3 (not older, legacy)");
    const served = lines.filter((l) => l.trim().startsWith("serve: "));
    expect(served[0].trim()).toBe(`serve: ${choice.chain.map((c) => c.label).join(" > ")}`);
  });

  it("renders Markdown: candidates table, a Mermaid flowchart with the chosen path marked, and a per-client table", () => {
    const md = renderExplanationMarkdown(choice);
    expect(md).toContain("| 1 | **chosen** | `example.test [");
    const graph = md.slice(md.indexOf("```mermaid\n") + 11, md.indexOf("\n```\n", md.indexOf("```mermaid")));
    const lines = graph.split("\n");
    expect(lines[0]).toBe("flowchart LR");
    // 5 distinct certificates on paths plus the two other anchors; one edge per distinct issuer link.
    expect(lines.filter((l) => /^  c[0-9a-f]{12}[[(]/.test(l))).toHaveLength(7);
    expect(lines.filter((l) => l.includes("-->|issued by|"))).toHaveLength(6);
    expect(graph).toContain(`c${s.aaa.cert.sha256.slice(0, 12)}(["AAA Certificate Services<br/>${s.aaa.cert.sha256.slice(0, 8)}"])`);
    expect(graph).toContain("linkStyle 0,1,2,3 stroke:#1a7f37,stroke-width:3px");
    const chosenIds = [...choice.chain, choice.anchor].map((c) => `c${c.sha256.slice(0, 12)}`).join(",");
    expect(graph).toContain(`class ${chosenIds} chosen`);
    expect(md).toContain("| client | trusts the chosen chain |\n|---|---|\n| modern | yes |\n| older | yes |\n| legacy | yes |");
  });

  it("adds the served chain's verdicts and findings when given a judgement", () => {
    const judgement = judgeServed(certsOf(s.leaf, s.r36, s.r46), { desired: choice.chain, profiles: Object.values(s.profiles), at: s.at });
    const md = renderExplanationMarkdown(choice, judgement);
    expect(md).toContain(`| modern | yes | - | trusted via ${s.r36.cert.label} to root ${s.r46.cert.label} |`);
    expect(md).toContain(`| legacy | **no** | - | no path to its roots: ${s.r46.cert.label}: self-signed and not a trust anchor [untrusted-root] |`);
    expect(md).toContain("**Served chain:** 3 certificates, not the desired chain.");
    expect(md).toContain("- error `wrong-certificate-same-subject`: Position 2 holds");
  });

  it("names every refused link with its rule, in the table and in Markdown: a SHA-1 short path beside a sound long one", async () => {
    const pki = new Pki();
    const root = await pki.root("Explain Root", { keyType: "rsa" });
    const weak = await pki.intermediate("Explain CA", root, { signatureHash: "SHA-1" });
    const bridge = await pki.intermediate("Explain Bridge", root);
    const sound = await pki.crossSign(weak, bridge);
    const leaf = await pki.leaf("explain.test", weak);
    const sha1 = choosePath(leaf.cert, certsOf(weak, bridge, sound), { profiles: [profileOf("p", root)], at: pki.now });
    expect(sha1.chain.map((c) => c.sha256)).toEqual([leaf.cert.sha256, sound.cert.sha256, bridge.cert.sha256]);
    const text = renderExplanation(sha1);
    expect(text).toContain("Refused (not valid paths; the code in brackets names the rule):");
    expect(text).toContain(`  - ${weak.cert.label}: anchor ${root.cert.label} would vouch for ${weak.cert.label}, which is signed with sha1WithRSAEncryption: SHA-1 signatures are refused`);
    expect(text).toMatch(/\[weak-signature\]/);
    expect(renderExplanationMarkdown(sha1)).toContain(`- ${weak.cert.label}: anchor ${root.cert.label} would vouch for`);
  });
});

