// `chainsmith profiles`: the client profiles that come with chainsmith (real root stores,
// dated, with their source and licence, and the behaviour each client is modelled with),
// and the other profile forms. With a NAME: that profile's roots and behaviour in full.
import { bundledStores, findBundledStore } from "../chain/bundled-stores";
import { behaviour, behaviourIds, type ClientBehaviour } from "../chain/client-behaviour";
import { ChainsmithInputError } from "../chain/errors";
import { loadProfile } from "../chain/profiles";
import { FlagSpecs, POSITIONALS, booleanFlag, listFlag, parseCommandLine } from "./args";
import type { Io } from "./main";
import { table } from "./text-table";

const FLAGS: FlagSpecs = {
  json: { type: "boolean", help: "print JSON: one object per bundled profile (with NAME: that profile and its roots)" },
};

const SYNOPSIS = "[NAME] [--json]";

const OTHER_FORMS = [
  ["mozilla", "the Mozilla roots bundled with this Node.js"],
  ["system", "this machine's /etc/ssl/certs/ca-certificates.crt"],
  ["frozen:YYYY-MM-DD", "the mozilla roots made before that date (an approximation: prefer a dated store above)"],
  ["name=FILE", "your own client's roots from a PEM, DER or PKCS#7 file (an openssl client)"],
  ["name@BEHAVIOUR=FILE", "the same, with one of the behaviours above (iot@openssl-1.0=store.pem)"],
];

export function runProfiles(argv: string[], io: Io): number {
  const values = parseCommandLine("profiles", SYNOPSIS, argv, FLAGS, io, { max: 1, hint: "give at most one profile NAME" });
  if (!values) return 0;
  const [name] = listFlag(values, POSITIONALS);
  const json = booleanFlag(values, "json");
  if (name !== undefined) {
    if (!findBundledStore(name)) {
      throw new ChainsmithInputError("bad-profile", `chainsmith profiles: '${name}' is not a bundled profile. Run 'chainsmith profiles' for the list.`);
    }
    const profile = loadProfile(name);
    const model = profile.behaviour!;
    if (json) {
      io.out(`${JSON.stringify({ ...findBundledStore(name), behaviour: model, roots: profile.roots.map((r) => ({ subject: r.subject, sha256: r.sha256, notAfter: r.notAfter.toISOString() })) }, null, 2)}\n`);
    } else {
      io.out(`${profile.name}: ${profile.description}\n\nBehaviour ${model.id}: ${describe(model)}\n\nRoots:\n${profile.roots.map((r) => `  ${r.label}  until ${r.notAfter.toISOString().slice(0, 10)}`).join("\n")}\n`);
    }
    return 0;
  }
  const stores = bundledStores();
  if (json) {
    for (const store of stores) io.out(`${JSON.stringify({ ...store, behaviour: behaviour(store.behaviour) })}\n`);
    return 0;
  }
  const rows = stores.map((s) => [s.name, s.date, s.platform, s.behaviour, `${s.source} (${s.licence})`]);
  io.out(`Client profiles that come with chainsmith (real root stores; --profile NAME):\n\n${table(["name", "date", "platform", "behaviour", "source (licence)"], rows).join("\n")}\n`);
  io.out(`\nBehaviours (what the client does besides holding its roots):\n${behaviourIds().map((id) => `  ${id.padEnd(22)} ${describe(behaviour(id))}`).join("\n")}\n`);
  io.out(`\nOther profiles:\n${OTHER_FORMS.map(([form, what]) => `  ${form.padEnd(22)} ${what}`).join("\n")}\n`);
  return 0;
}

const PATH_WORDS: Record<ClientBehaviour["pathBuilding"], string> = {
  "any-path": "finds any valid path",
  "trusted-first": "judges the one path it builds, its store first at each step",
  "untrusted-first": "judges the one path it builds, the served certificates first",
  "served-order": "judges the path in the served order (then cut at a trusted name and key)",
};

const ANCHOR_WORDS: Record<ClientBehaviour["anchor"], string> = {
  certificate: "checks a root's expiry and constraints",
  "ignores-expiry": "ignores a root's expiry",
  "name-and-key": "uses only a root's name and key (no expiry, pathLen or key usage)",
};

function describe(b: ClientBehaviour): string {
  const eku = b.eku === "leaf" ? "checks serverAuth on the leaf only" : "checks serverAuth along the path";
  return `${b.models}: ${PATH_WORDS[b.pathBuilding]}, ${ANCHOR_WORDS[b.anchor]}, ${eku}, ${b.aiaFetching ? "fetches missing intermediates (AIA)" : "does not fetch missing intermediates"}`;
}
