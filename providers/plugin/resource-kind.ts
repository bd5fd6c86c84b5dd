// What each kind of chainsmith resource implements for the provider plugin: the provider
// protocol's check/diff/create/read/update/delete on plain values (secrets unwrapped by
// wire.ts), plus which properties are secret. One kind per kind of remote state.

/** An input property that differs (or whose live state drifted) and why, in words. */
export interface PropertyChange {
  /** Top-level input property, e.g. "chain", "endpoints", "binding". */
  property: string;
  reason: string;
  /** True when the host drifted away from the deployment (not a change of the program). */
  drift?: boolean;
}

export interface DiffOutcome {
  changes: PropertyChange[];
  /** Input properties whose change replaces the resource. */
  replaces?: string[];
  deleteBeforeReplace?: boolean;
  /** Warnings to show under the resource (beside its drift). */
  notes?: Note[];
}

export interface CheckOutcome {
  failures: { property: string; reason: string }[];
}

/** A note for the person running Pulumi, attached to the resource. */
export interface Note {
  severity: "info" | "warning";
  message: string;
}

/** Inputs as the program gave them; State: what the resource records (inputs without the TLS secrets, plus outputs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ResourceKind<Inputs = any, State = any> {
  /** The type token, e.g. "chainsmith:linux:TlsFiles". */
  token: string;
  /** Properties whose values are secrets: never shown, stored encrypted, scrubbed from messages. */
  secrets: readonly string[];
  check(news: Inputs): Promise<CheckOutcome>;
  diff(id: string, olds: State, news: Inputs): Promise<DiffOutcome>;
  create(inputs: Inputs): Promise<{ id: string; outs: State; notes?: Note[] }>;
  read(id: string, state: State): Promise<{ id: string; props: State; notes?: Note[] }>;
  update(id: string, olds: State, news: Inputs): Promise<{ outs: State; notes?: Note[] }>;
  remove(id: string, state: State): Promise<Note[]>;
}
