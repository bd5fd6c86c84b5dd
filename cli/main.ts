// The `chainsmith` command: one table of subcommands, and one place that turns errors
// into exit codes: 0 success, 1 no valid chain, 2 bad input, 70 a bug in chainsmith.
// A subcommand's module is loaded when it runs, so `bundle` never loads the TLS probe.
import { ChainBuildError, ChainsmithInputError } from "../chain/errors";
import { printable } from "../chain/printable";

/** Where a command writes; tests and the process entry point supply it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

interface Command {
  summary: string;
  run(argv: string[], io: Io): number | Promise<number>;
}

/** Subcommands, one line each: register a new one here. */
const COMMANDS: Record<string, Command> = {
  bundle: { summary: "choose the chain to serve; print the fullchain PEM or JSON, or write the server files", run: async (argv, io) => (await import("./bundle")).runBundle(argv, io) },
  explain: { summary: "show every candidate chain and why it won or lost (--markdown for a report)", run: async (argv, io) => (await import("./explain")).runExplain(argv, io) },
  inspect: { summary: "read the chain a server sends, judge it per client profile (--targets FILE for a fleet)", run: async (argv, io) => (await import("./inspect")).runInspect(argv, io) },
  profiles: { summary: "list the client profiles that come with chainsmith (real root stores, dated, with sources)", run: async (argv, io) => (await import("./profiles")).runProfiles(argv, io) },
};

export const EXIT = { ok: 0, noValidPath: 1, badInput: 2, internal: 70 } as const;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(overview());
    return EXIT.badInput;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(overview());
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`chainsmith: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(", ")}. Run 'chainsmith --help'.\n`);
    return EXIT.badInput;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}

function reportError(e: unknown, io: Io): number {
  if (e instanceof ChainsmithInputError) {
    io.err(`chainsmith: error [${e.code}]: ${printable(e.message)}\n`);
    return EXIT.badInput;
  }
  if (e instanceof ChainBuildError) {
    io.err(`chainsmith: no valid chain [${e.code}]: ${printable(e.message)}\n`);
    return EXIT.noValidPath;
  }
  io.err(`chainsmith: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.internal;
}

function overview(): string {
  const rows = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return `usage: chainsmith <command> [flags]\n\ncommands:\n${rows.join("\n")}\n\nRun 'chainsmith <command> --help' for its flags.\n`;
}

const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
