/**
 * The agent's result line as agent.ps1's Format-Answer writes it: plain JSON, or, over the
 * request's outputLimit, gzip + base64, then with the largest certificate DERs left out
 * (listed in omittedDer) until it fits, else a short answer-too-large error.
 */
import * as zlib from "node:zlib";
import { AgentResponse, GZIP_RESULT_MARKER, Inventory, RESULT_MARKER } from "../../../providers/windows/contract";

export function formatAnswer(answer: AgentResponse, limit = 0): string {
  const plain = `${RESULT_MARKER}${JSON.stringify(answer)}`;
  if (limit <= 0 || plain.length + 2 <= limit) return plain;
  const copy = structuredClone(answer);
  const inventory = copy.ok && copy.verb === "inventory" ? (copy.result as Inventory) : undefined;
  const certs = [...(inventory?.certificates ?? [])].sort((a, b) => b.derBase64.length - a.derBase64.length || a.thumbprint.localeCompare(b.thumbprint));
  for (let i = 0; i <= certs.length; i++) {
    const line = `${GZIP_RESULT_MARKER}${zlib.gzipSync(JSON.stringify(copy)).toString("base64")}`;
    if (line.length + 2 <= limit) return line;
    if (i < certs.length && inventory) {
      certs[i].derBase64 = "";
      inventory.omittedDer.push(certs[i].thumbprint);
    }
  }
  const message = `The answer does not fit in ${limit} bytes even without certificates' DER. Run the agent over SSH, or clean the stores of this host.`;
  return `${RESULT_MARKER}${JSON.stringify({ ok: false, verb: answer.verb, error: { code: "answer-too-large", message } })}`;
}
