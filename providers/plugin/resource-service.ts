// The provider protocol's resource methods (Check, Diff, Create, Read, Update, Delete) over the
// chainsmith resource kinds. The SDK's server handles the rest (handshake, schema, Construct);
// these replace its resource methods because its Diff drops detailed diffs and its methods
// neither keep secrets secret nor attach messages to a resource.
import { redact } from "../redact";
import type { EngineLog } from "./engine-log";
import type { Note, ResourceKind } from "./resource-kind";
import { emptyProto, grpc, providerProto, structProto } from "./sdk-grpc";
import { fromWire, secretOutputKeys, toWire, type Properties } from "./wire";

type Call = { request: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Callback = (error: unknown, response?: unknown) => void;

/** The type token of a URN: urn:pulumi:stack::project::parent$type::name. */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

export function resourceService(kinds: readonly ResourceKind[], log: EngineLog) {
  const byToken = new Map(kinds.map((k) => [k.token, k]));
  const kindOf = (urn: string): ResourceKind => {
    const kind = byToken.get(typeOfUrn(urn));
    if (!kind) throw new Error(`chainsmith: unknown resource type ${typeOfUrn(urn)} (this chainsmith provider knows ${[...byToken.keys()].join(", ")})`);
    return kind;
  };
  const writeNotes = (urn: string, notes: Note[] | undefined) => Promise.all((notes ?? []).map((n) => log.write(urn, n)));

  // Every error leaves scrubbed of the secrets the call carried, whatever the kind forgot.
  const handle = (work: (request: any) => Promise<unknown>, secretsOf: (request: any) => string[]) => // eslint-disable-line @typescript-eslint/no-explicit-any
    async (call: Call, callback: Callback) => {
      try {
        callback(null, await work(call.request));
      } catch (error) {
        const message = redact(error instanceof Error ? error.message : String(error), secretsOf(call.request));
        callback({ code: grpc.status.UNKNOWN, details: message, message });
      }
    };
  const secretsIn = (kind: ResourceKind | undefined, ...structs: unknown[]) =>
    structs.flatMap((s) => {
      const { values, secretKeys } = fromWire((s as { toJavaScript?: () => Properties } | undefined)?.toJavaScript?.());
      const names = new Set([...secretKeys, ...(kind?.secrets ?? [])]);
      return [...names].flatMap((name) => stringsIn(values[name]));
    });
  const safeKind = (urn: string) => byToken.get(typeOfUrn(urn));

  return {
    check: handle(
      async (req) => {
        const kind = kindOf(req.getUrn());
        const news = req.getNews().toJavaScript();
        const outcome = await kind.check(fromWire(news).values);
        const resp = new providerProto.CheckResponse();
        resp.setInputs(struct(news));
        resp.setFailuresList(
          outcome.failures.map((f) => {
            const failure = new providerProto.CheckFailure();
            failure.setProperty(f.property);
            failure.setReason(f.reason);
            return failure;
          }),
        );
        return resp;
      },
      (req) => secretsIn(safeKind(req.getUrn()), req.getNews()),
    ),

    diff: handle(
      async (req) => {
        const urn = req.getUrn();
        const kind = kindOf(urn);
        const olds = recorded(req.getOlds());
        const outcome = await kind.diff(req.getId(), olds.values, fromWire(req.getNews().toJavaScript()).values);
        // A state of chainsmith 0.1 is rewritten by an update, which also marks the host's files as this resource's.
        if (olds.fromVersion01) outcome.changes.push({ property: CHAINSMITH_0_1_CODE, reason: "the state was written by chainsmith 0.1 (dynamic providers): the update rewrites it" });
        const replaces = outcome.replaces ?? [];
        const resp = new providerProto.DiffResponse();
        const Kind = providerProto.PropertyDiff.Kind;
        resp.setChanges(outcome.changes.length > 0 ? providerProto.DiffResponse.DiffChanges.DIFF_SOME : providerProto.DiffResponse.DiffChanges.DIFF_NONE);
        resp.setReplacesList(replaces);
        resp.setDeletebeforereplace(outcome.deleteBeforeReplace ?? false);
        const properties = [...new Set(outcome.changes.map((c) => c.property))];
        resp.setDiffsList(properties);
        const detailed = resp.getDetaileddiffMap();
        for (const property of properties) {
          const diff = new providerProto.PropertyDiff();
          diff.setKind(replaces.includes(property) ? Kind.UPDATE_REPLACE : property === CHAINSMITH_0_1_CODE ? Kind.DELETE : Kind.UPDATE);
          diff.setInputdiff(true);
          detailed.set(property, diff);
        }
        resp.setHasdetaileddiff(true);
        // Drift is news the program does not show: say it once, on this resource.
        await writeNotes(urn, [
          ...(outcome.notes ?? []),
          ...outcome.changes.filter((c) => c.drift).map((c): Note => ({ severity: "warning", message: `drift: ${c.reason}` })),
        ]);
        return resp;
      },
      (req) => secretsIn(safeKind(req.getUrn()), req.getOlds(), req.getNews()),
    ),

    create: handle(
      async (req) => {
        const urn = req.getUrn();
        const kind = kindOf(urn);
        const inputs = fromWire(req.getProperties().toJavaScript());
        const result = await kind.create(inputs.values);
        await writeNotes(urn, result.notes);
        const resp = new providerProto.CreateResponse();
        resp.setId(result.id);
        resp.setProperties(struct(toWire(result.outs, secretOutputKeys(result.outs, kind.secrets, inputs))));
        return resp;
      },
      (req) => secretsIn(safeKind(req.getUrn()), req.getProperties()),
    ),

    read: handle(
      async (req) => {
        const urn = req.getUrn();
        const kind = kindOf(urn);
        const state = recorded(req.getProperties());
        const result = await kind.read(req.getId(), state.values);
        await writeNotes(urn, result.notes);
        const resp = new providerProto.ReadResponse();
        resp.setId(result.id);
        resp.setProperties(struct(toWire(result.props, secretOutputKeys(result.props, kind.secrets, state))));
        if (req.getInputs()) {
          const { [CHAINSMITH_0_1_CODE]: _code, ...inputs } = req.getInputs().toJavaScript() as Properties;
          resp.setInputs(struct(inputs));
        }
        return resp;
      },
      (req) => secretsIn(safeKind(req.getUrn()), req.getProperties()),
    ),

    update: handle(
      async (req) => {
        const urn = req.getUrn();
        const kind = kindOf(urn);
        const news = fromWire(req.getNews().toJavaScript());
        const result = await kind.update(req.getId(), recorded(req.getOlds()).values, news.values);
        await writeNotes(urn, result.notes);
        const resp = new providerProto.UpdateResponse();
        resp.setProperties(struct(toWire(result.outs, secretOutputKeys(result.outs, kind.secrets, news))));
        return resp;
      },
      (req) => secretsIn(safeKind(req.getUrn()), req.getOlds(), req.getNews()),
    ),

    delete: handle(
      async (req) => {
        const urn = req.getUrn();
        const notes = await kindOf(urn).remove(req.getId(), recorded(req.getProperties()).values);
        await writeNotes(urn, notes);
        return new emptyProto.Empty();
      },
      (req) => secretsIn(safeKind(req.getUrn()), req.getProperties()),
    ),
  };
}

/**
 * A resource's recorded state. States written by chainsmith 0.1 (dynamic providers, taken
 * over through aliases) also hold `__provider`, that version's serialized code: never run, dropped.
 */
const CHAINSMITH_0_1_CODE = "__provider";

function recorded(struct: { toJavaScript(): Properties }) {
  const { values, secretKeys, secretTexts } = fromWire(struct.toJavaScript());
  const { [CHAINSMITH_0_1_CODE]: code, ...state } = values;
  return { values: state, secretKeys, secretTexts, fromVersion01: code !== undefined };
}

// JSON drops undefined fields, which a protobuf Struct cannot hold.
function struct(values: Properties) {
  return structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(values)));
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return value.length > 0 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}
