// What a host has now: the hash of each managed file and the chain each endpoint serves,
// read from the wire with the probe.
import { chainEntry } from "../../chain/served-comparison";
import { endpointLabel, type Endpoint } from "../../probe/endpoint";
import { probe } from "../../probe/probe";
import { hashesCommand, parseHashes } from "./hosts/shell";
import type { ChainEntry } from "../../chain/served-comparison";
import type { LiveFile } from "./drift";
import type { TargetHost } from "./hosts/target-host";

/** What one endpoint serves now. */
export interface LiveEndpoint {
  /** "host:port" (and SNI). */
  endpoint: string;
  /** The certificates as sent, in wire order; absent when the endpoint could not be read. */
  served?: ChainEntry[];
  error?: string;
}

/** SHA-256 of each file (null when missing), in one command. */
export async function readFileHashes(host: TargetHost, paths: string[]): Promise<LiveFile[]> {
  if (paths.length === 0) return [];
  const result = await host.run(hashesCommand(paths));
  if (result.code !== 0) throw new Error(`${host.name}: cannot hash the deployed files: ${result.stderr.trim()}`);
  const hashes = parseHashes(result.stdout, paths.length);
  return paths.map((path, i) => ({ path, sha256: hashes[i] }));
}

/** The chain an endpoint serves, as fingerprints and labels in wire order, or why it could not be read. */
export async function readServedChain(endpoint: Endpoint, timeoutMs = 5000): Promise<LiveEndpoint> {
  const name = endpointLabel(endpoint.host, endpoint.port, endpoint.servername, endpoint.protocol);
  try {
    const result = await probe({ ...endpoint, timeoutMs });
    return { endpoint: name, served: result.certificates.map(chainEntry) };
  } catch (error) {
    return { endpoint: name, error: (error as Error).message };
  }
}

export async function readLiveState(host: TargetHost, paths: string[], endpoints: Endpoint[]): Promise<{ files: LiveFile[]; endpoints: LiveEndpoint[] }> {
  const [files, served] = await Promise.all([readFileHashes(host, paths), Promise.all(endpoints.map((e) => readServedChain(e)))]);
  return { files, endpoints: served };
}
