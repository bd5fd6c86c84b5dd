/**
 * Explaining a chain choice to people: a plain-text table for terminals
 * (`chainsmith explain`) and Markdown with a Mermaid graph for pipeline pages.
 */
import { Certificate } from "./certificate";
import { Judgement } from "./judge";
import { Candidate, ChainChoice } from "./policy";
import { printable } from "./printable";

/** Every candidate path, best first: the chosen one marked, the reason each other lost. */
export function renderExplanation(choice: ChainChoice): string {
  // Labels and reasons quote certificates: every line is made printable (chain/printable.ts).
  const header = [
    `Chain for ${choice.leaf.label}, policy ${choice.policy}, at ${choice.at.toISOString()}`,
    `Profiles: ${choice.profiles.length ? choice.profiles.join(", ") : "(none; anchors given directly)"}`,
    "",
  ].map(printable);
  const rows = [["#", "", "certs", "profiles", "anchor", "why"]];
  for (const c of choice.candidates) {
    rows.push([String(c.rank), c.chosen ? "*" : "", String(c.chain.length), profilesCell(c, choice), c.anchor.label, c.why].map(printable));
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const line = (r: string[]) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join("  ").trimEnd();
  const body: string[] = [line(rows[0]), line(widths.map((w) => "-".repeat(w)))];
  choice.candidates.forEach((c, i) => {
    body.push(line(rows[i + 1]));
    body.push(`${" ".repeat(widths[0] + widths[1] + 4)}serve: ${printable(c.chain.map((x) => x.label).join(" > "))}`);
  });
  return [...header, ...body, ...refusedLines(choice).map((l, i) => (i === 0 ? `\n${l}` : l)), ""].join("\n");
}

const REFUSALS_SHOWN = 20;

/** "Refused: ..." then one line per dead end (its code in brackets), long lists cut; nothing when nothing was refused. */
function refusedLines(choice: ChainChoice): string[] {
  const lines = choice.refused.slice(0, REFUSALS_SHOWN).map((reason) => `  - ${reason}`);
  if (choice.refused.length > REFUSALS_SHOWN) lines.push(`  - ... and ${choice.refused.length - REFUSALS_SHOWN} more`);
  if (choice.incomplete) lines.push(`  - search incomplete: ${choice.incomplete}`);
  return lines.length ? ["Refused (not valid paths; the code in brackets names the rule):", ...lines] : [];
}

/** Markdown for a pipeline page: the candidates table, a Mermaid graph of the paths, and a per-client table. */
export function renderExplanationMarkdown(choice: ChainChoice, judgement?: Judgement): string {
  const out: string[] = [
    `### Certificate chain for \`${printable(choice.leaf.commonName ?? choice.leaf.subject)}\``,
    "",
    `Policy \`${choice.policy}\`, validity checked at ${choice.at.toISOString()}. The chosen chain is served as \`fullchain.pem\` (leaf first, anchor excluded).`,
    "",
    "| # | | served chain | anchor | profiles | why |",
    "|---|---|---|---|---|---|",
  ];
  for (const c of choice.candidates) {
    const chain = c.chain.map((x) => `\`${short(x)}\``).join(" → ");
    out.push(`| ${c.rank} | ${c.chosen ? "**chosen**" : ""} | ${cell(chain)} | ${cell(`\`${short(c.anchor)}\``)} | ${cell(profilesCell(c, choice))} | ${cell(c.why)} |`);
  }
  out.push("", "```mermaid", ...mermaidGraph(choice), "```", "");
  const refused = refusedLines(choice);
  if (refused.length) out.push(`**${refused[0]}**`, "", ...refused.slice(1).map((l) => l.replace(/^ {2}/, "")), "");
  out.push(...clientTable(choice, judgement));
  if (judgement) {
    out.push("", `**Served chain:** ${judgement.served.length} certificates${judgement.matchesDesired === false ? ", not the desired chain" : judgement.matchesDesired ? ", exactly the desired chain" : ""}.`);
    if (judgement.findings.length) {
      out.push("");
      for (const f of judgement.findings) out.push(`- ${f.severity} \`${f.code}\`: ${printable(f.message)}`);
    }
  }
  return out.join("\n") + "\n";
}

/** Certificates as nodes (CN + short fingerprint), edges from each certificate to its issuer; the chosen path drawn thick. */
function mermaidGraph(choice: ChainChoice): string[] {
  const nodes = new Map<string, string>();
  const edges = new Map<string, { from: string; to: string; chosen: boolean }>();
  const id = (c: Certificate) => `c${c.sha256.slice(0, 12)}`;
  for (const candidate of choice.candidates) {
    const path = [...candidate.chain, candidate.anchor];
    for (const c of path) {
      const shape = c === candidate.anchor ? ["([", "])"] : ["[", "]"];
      if (!nodes.has(id(c)) || c === candidate.anchor) nodes.set(id(c), `${id(c)}${shape[0]}"${mermaidText(c.commonName ?? c.subject)}<br/>${c.sha256.slice(0, 8)}"${shape[1]}`);
    }
    for (let i = 0; i + 1 < path.length; i++) {
      if (path[i] === path[i + 1]) continue;
      const key = `${id(path[i])}>${id(path[i + 1])}`;
      const edge = edges.get(key) ?? { from: id(path[i]), to: id(path[i + 1]), chosen: false };
      edge.chosen ||= candidate.chosen;
      edges.set(key, edge);
    }
  }
  const lines = ["flowchart LR", ...[...nodes.values()].map((n) => `  ${n}`)];
  const list = [...edges.values()];
  list.forEach((e) => lines.push(`  ${e.from} -->|issued by| ${e.to}`));
  const chosenEdges = list.flatMap((e, i) => (e.chosen ? [i] : []));
  if (chosenEdges.length) lines.push(`  linkStyle ${chosenEdges.join(",")} stroke:#1a7f37,stroke-width:3px`);
  const chosenNodes = [...choice.chain, choice.anchor].map(id);
  lines.push("  classDef chosen stroke:#1a7f37,stroke-width:3px", `  class ${[...new Set(chosenNodes)].join(",")} chosen`);
  return lines;
}

function clientTable(choice: ChainChoice, judgement?: Judgement): string[] {
  if (judgement) {
    return [
      "| client | trusts the served chain | decided by | path or reason |",
      "|---|---|---|---|",
      ...judgement.profiles.map((v) => `| ${cell(v.profile)} | ${v.trusted ? "yes" : "**no**"} | ${v.decidedBy ?? "-"} | ${cell(v.reason)} |`),
    ];
  }
  const chosen = choice.candidates.find((c) => c.chosen);
  return [
    "| client | trusts the chosen chain |",
    "|---|---|",
    ...choice.profiles.map((p) => `| ${cell(p)} | ${chosen?.profiles.includes(p) ? "yes" : "**no**"} |`),
  ];
}

function profilesCell(c: Candidate, choice: ChainChoice): string {
  return `${c.profiles.length}/${choice.profiles.length}${c.profiles.length ? ` ${c.profiles.join(", ")}` : ""}`;
}

function short(c: Certificate): string {
  return `${c.commonName ?? c.subject} [${c.sha256.slice(0, 8)}]`;
}

function cell(text: string): string {
  return printable(text).replace(/\|/g, "\\|");
}

function mermaidText(text: string): string {
  return printable(text).replace(/"/g, "#quot;").replace(/[<>]/g, "");
}
