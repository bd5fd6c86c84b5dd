/**
 * The simulated host's SSH side: an ssh2 Server on loopback (its host key pinned by the
 * tests) that accepts only the agent's fixed command line, reads the script and the JSON
 * from stdin as the bootstrap does, checks that the script is agent.ps1 byte for byte, and
 * answers from the host model. Faults can be switched on to test how failures surface.
 */
import * as crypto from "node:crypto";
import { Server, utils, type Connection } from "ssh2";
import { openSshFingerprint } from "../../../providers/ssh/host-keys";
import { agentScript, powershellCommand } from "../../../providers/windows/agent-invocation";
import { AgentRequest, INPUT_MARKER, PfxPayload, SECRET_MARKER } from "../../../providers/windows/contract";
import { formatAnswer } from "./agent-output";
import { SimulatedWindowsHost } from "./host-model";

export type SshFault =
  /** PowerShell writes an error (as CLIXML, as it does with -EncodedCommand) and no result line. */
  | "output-not-json"
  /** The connection is cut after the request is read, before any answer or exit status. */
  | "drop-connection"
  /** The agent never answers (a hung PowerShell). */
  | "hang";

export interface SimulatedSshServer {
  port: number;
  user: string;
  /** OpenSSH fingerprint of the host key, to pin. */
  hostKeyFingerprint: string;
  /** OpenSSH private key the server accepts for `user`. */
  clientKey: string;
  /** Every command line received. */
  commands: string[];
  /** Everything received on stdin and sent back, for secret-leak assertions on the script and output. */
  scriptsReceived: string[];
  /** The JSON requests as received (the PFX payload travels apart, after SECRET_MARKER). */
  requestsReceived: string[];
  outputsSent: string[];
  /** Faults applied to the next exec whose verb matches (or any verb with "*"). */
  faults: Array<{ fault: SshFault; verb: string }>;
  close(): Promise<void>;
}

export async function startSimulatedSshServer(host: SimulatedWindowsHost, user = "administrator"): Promise<SimulatedSshServer> {
  // ECDSA, not Ed25519: about 1 in 256 Ed25519 keys from ssh2's generator does not parse
  // (ssh2 issues #1390, #1513: a leading zero byte of the public key is stripped).
  const hostKey = utils.generateKeyPairSync("ecdsa", { bits: 256 });
  const clientKey = utils.generateKeyPairSync("ecdsa", { bits: 256 });
  const allowed = utils.parseKey(clientKey.public);
  if (allowed instanceof Error) throw allowed;
  const hostKeyParsed = utils.parseKey(hostKey.private);
  if (hostKeyParsed instanceof Error) throw hostKeyParsed;
  const state: SimulatedSshServer = {
    port: 0,
    user,
    hostKeyFingerprint: openSshFingerprint(hostKeyParsed.getPublicSSH()),
    clientKey: clientKey.private,
    commands: [],
    scriptsReceived: [],
    requestsReceived: [],
    outputsSent: [],
    faults: [],
    close: async () => {},
  };
  const connections = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    connections.add(client);
    client.on("close", () => connections.delete(client));
    client.on("error", () => connections.delete(client));
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || ctx.username !== user) return ctx.reject(["publickey"]);
      const sameKey = ctx.key.algo === allowed.type && crypto.timingSafeEqual(Buffer.from(ctx.key.data), allowed.getPublicSSH());
      if (!sameKey) return ctx.reject(["publickey"]);
      if (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
      ctx.accept();
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (acceptExec, _reject, info) => {
          const channel = acceptExec();
          state.commands.push(info.command);
          if (info.command !== powershellCommand()) {
            channel.stderr.write(`'${info.command.split(" ")[0]}' is not the chainsmith agent command\r\n`);
            channel.exit(1);
            return channel.end();
          }
          const input: Buffer[] = [];
          channel.on("data", (chunk: Buffer) => input.push(chunk));
          channel.on("end", () => {
            const text = Buffer.concat(input).toString("utf8");
            const marker = `\n${INPUT_MARKER}\n`;
            const at = text.indexOf(marker);
            const script = at < 0 ? text : text.slice(0, at);
            state.scriptsReceived.push(script);
            if (at < 0 || script !== agentScript()) {
              channel.write("chainsmith bootstrap: no input marker on stdin\r\n");
              channel.exit(2);
              return channel.end();
            }
            const rest = text.slice(at + marker.length);
            const secretMarker = `\n${SECRET_MARKER}\n`;
            const cut = rest.indexOf(secretMarker);
            state.requestsReceived.push(cut < 0 ? rest : rest.slice(0, cut));
            const request = JSON.parse(cut < 0 ? rest : rest.slice(0, cut)) as AgentRequest;
            if (cut >= 0 && request.verb === "apply") request.pfx = JSON.parse(rest.slice(cut + secretMarker.length)) as PfxPayload;
            const faultIndex = state.faults.findIndex((f) => f.verb === "*" || f.verb === request.verb);
            const fault = faultIndex >= 0 ? state.faults.splice(faultIndex, 1)[0].fault : undefined;
            if (fault === "drop-connection") return client.end();
            if (fault === "hang") return;
            if (fault === "output-not-json") {
              const err =
                '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Exception calling "LoadFrom" with "1" argument(s): "Could not load file or assembly _x000D__x000A_</S>' +
                "<S S=\"Error\">'file:///C:\\Windows\\System32\\inetsrv\\Microsoft.Web.Administration.dll' or one of its dependencies.\"_x000D__x000A_</S></Objs>";
              state.outputsSent.push(err);
              channel.stderr.write(err);
              channel.exit(1);
              return channel.end();
            }
            const answer = host.handle(request);
            const out = `${formatAnswer(answer, request.outputLimit)}\r\n`;
            state.outputsSent.push(out);
            channel.write(out);
            channel.exit(answer.ok ? 0 : 1);
            channel.end();
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const c of connections) c.end();
      server.close(() => resolve());
    });
  return state;
}
