// Flag parsing shared by every subcommand: node:util parseArgs in strict mode, with its
// errors turned into messages that name the command and the way to get help.
import { parseArgs } from "node:util";
import { ChainsmithInputError } from "../chain/errors";
import type { Io } from "./main";

export interface FlagSpec {
  type: "string" | "boolean";
  /** The flag may be given more than once (--pool a.pem --pool b.pem). */
  multiple?: boolean;
  /** Placeholder for the value in help, e.g. "FILE". */
  value?: string;
  /** One line of help. */
  help: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValues = Record<string, string | string[] | boolean | undefined>;

/** Flags every subcommand takes. */
const COMMON_FLAGS: FlagSpecs = {
  help: { type: "boolean", help: "show this help" },
};

/**
 * A subcommand's flags with `--help` added; prints the usage and returns undefined when
 * help was asked for (the command then exits 0).
 */
export function parseCommandLine(command: string, synopsis: string, argv: string[], specs: FlagSpecs, io: Io, positionals: Positionals = NO_POSITIONALS): FlagValues | undefined {
  const withHelp = { ...specs, ...COMMON_FLAGS };
  const values = parseFlags(command, argv, withHelp, positionals);
  if (!booleanFlag(values, "help")) return values;
  io.out(usage(command, synopsis, withHelp));
  return undefined;
}

/** Arguments without a flag a command takes (e.g. inspect's HOST[:PORT]), kept under POSITIONALS. */
export interface Positionals {
  max: number;
  /** Says what to give instead, when there are too many. */
  hint: string;
}

const NO_POSITIONALS: Positionals = { max: 0, hint: "every input is given with a flag (e.g. --leaf FILE)" };

/** The key of FlagValues that holds the positional arguments. */
export const POSITIONALS = "_";

/** Parses `argv` against `specs`; unknown flags and stray arguments are errors (exit 2). */
export function parseFlags(command: string, argv: string[], specs: FlagSpecs, allowed: Positionals = NO_POSITIONALS): FlagValues {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple ?? false }]),
  );
  try {
    const { values, positionals, tokens } = parseArgs({ args: argv, options, strict: true, allowPositionals: true, tokens: true });
    // parseArgs keeps the last of a repeated single-value flag: a silent choice between two files.
    const given = new Map<string, string[]>();
    for (const token of tokens) if (token.kind === "option") given.set(token.name, [...(given.get(token.name) ?? []), token.value ?? ""]);
    for (const [name, seen] of given) {
      if (seen.length > 1 && !specs[name]?.multiple) {
        const takes = specs[name]?.type === "string" ? ` (${seen.map((v) => `'${v}'`).join(", ")}); it takes one value` : "";
        throw new ChainsmithInputError("bad-argument", `chainsmith ${command}: --${name} is given ${seen.length} times${takes}. Give it once. Run 'chainsmith ${command} --help'.`);
      }
    }
    if (positionals.length > allowed.max) {
      throw new ChainsmithInputError(
        "bad-argument",
        `chainsmith ${command}: unexpected argument '${positionals[allowed.max]}'; ${allowed.hint}. Run 'chainsmith ${command} --help'.`,
      );
    }
    return { ...values, [POSITIONALS]: positionals } as FlagValues;
  } catch (e) {
    if (e instanceof ChainsmithInputError) throw e;
    // parseArgs adds advice about '--' to unknown options that would only confuse here.
    const error = e as Error & { code?: string };
    const option = /'(-[^' ]+)/.exec(error.message)?.[1];
    const what = error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option ? `unknown option '${option}'` : error.message.replace(/\.$/, "");
    throw new ChainsmithInputError("bad-argument", `chainsmith ${command}: ${what}. Run 'chainsmith ${command} --help'.`);
  }
}

/** The single value of a string flag, or undefined. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** Every value of a repeatable string flag (none: empty list). */
export function listFlag(values: FlagValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

export function booleanFlag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

/** The value of a flag the command cannot do without. */
export function requiredFlag(command: string, values: FlagValues, name: string, specs: FlagSpecs): string {
  const value = stringFlag(values, name);
  if (value === undefined) {
    throw new ChainsmithInputError(
      "missing-argument",
      `chainsmith ${command}: --${name} ${specs[name]?.value ?? "VALUE"} is required (${specs[name]?.help ?? name}). Run 'chainsmith ${command} --help'.`,
    );
  }
  return value;
}

/** Usage text: the synopsis, then one line per flag. */
export function usage(command: string, synopsis: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}${spec.multiple ? " ..." : ""}`;
    return `  ${flag.padEnd(30)} ${spec.help}`;
  });
  return `usage: chainsmith ${command} ${synopsis}\n\n${rows.join("\n")}\n`;
}
