// What a host has now: the hash of each managed file and the chain each endpoint serves,
// read from the wire with the probe.
import { endpointLabel, type Endpoint } from "../../probe/endpoint";
import { probe } from "../../probe/probe";
import { shellQuote } from "./shell";
import type { LiveEndpoint, LiveState } from "./drift";
import type { TargetHost } from "./target-host";

/** A TLS endpoint to check after deploying ("the server this file feeds"). */
export type { Endpoint };

export function endpointName(endpoint: Endpoint): string {
  return endpointLabel(endpoint.host, endpoint.port, endpoint.servername, endpoint.protocol);
}

/** SHA-256 of each file (null when missing), in one command. */
export async function readFileHashes(host: TargetHost, paths: string[]): Promise<LiveState["files"]> {
  if (paths.length === 0) return [];
  const command = `for f in ${paths.map(shellQuote).join(" ")}; do if [ -f "$f" ]; then sha256sum -- "$f"; fi; done`;
  const result = await host.run(command);
  if (result.code !== 0) throw new Error(`${host.name}: cannot hash the deployed files: ${result.stderr.trim()}`);
  const found = new Map<string, string>();
  for (const line of result.stdout.toString("utf8").split("\n")) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) found.set(match[2], match[1]);
  }
  return paths.map((path) => ({ path, sha256: found.get(path) ?? null }));
}

/** The chain an endpoint serves, as fingerprints and labels in wire order, or why it could not be read. */
export async function readServedChain(endpoint: Endpoint, timeoutMs = 5000): Promise<LiveEndpoint> {
  const name = endpointName(endpoint);
  try {
    const result = await probe({ host: endpoint.host, port: endpoint.port, servername: endpoint.servername, protocol: endpoint.protocol, timeoutMs });
    return { endpoint: name, served: result.certificates.map((c) => ({ sha256: c.sha256, label: c.label })) };
  } catch (error) {
    return { endpoint: name, error: (error as Error).message };
  }
}

export async function readLiveState(host: TargetHost, paths: string[], endpoints: Endpoint[]): Promise<LiveState> {
  const [files, served] = await Promise.all([readFileHashes(host, paths), Promise.all(endpoints.map((e) => readServedChain(e)))]);
  return { files, endpoints: served };
}
