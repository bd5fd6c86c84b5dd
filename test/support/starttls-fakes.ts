/**
 * Scripted STARTTLS servers on loopback, for what no real server here does on demand: hostile
 * or broken dialogues, refusals, replies split at every byte. A MOCK of the plain-text part
 * only: after the script agrees to start TLS, Node's real TLS server takes the same socket
 * and serves the given chain. Scripts read what the client sends with the
 * probe's own bounded reader (probe/starttls/conversation.ts).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { Conversation } from "../../probe/starttls/conversation";
import { pemOf, type Issued } from "../../harness/pki";
import { startTcpServer, type RunningServer } from "../../harness/tls-servers";

/** The server's side of one connection: what the client sent, and a way to answer. */
export interface FakeSession {
  client: Conversation;
  send(text: string | Buffer): void;
  socket: net.Socket;
}

/** A dialogue: resolves true to start TLS on the socket, false when it has ended the session its own way. */
export type FakeDialogue = (session: FakeSession) => Promise<boolean>;

/** `chain`: what Node's TLS server sends after the dialogue, leaf first. */
export function startFakeStartTlsServer(dialogue: FakeDialogue, chain: Issued[] = []): Promise<RunningServer> {
  const context = chain.length > 0 ? tls.createSecureContext({ cert: pemOf(...chain), key: chain[0].keyPem }) : undefined;
  return startTcpServer((socket) => {
    const client = new Conversation((bytes) => socket.write(bytes), "client");
    const onData = (chunk: Buffer) => client.push(chunk);
    socket.on("data", onData);
    socket.on("end", () => client.end());
    socket.on("close", () => client.end());
    dialogue({ client, send: (text) => socket.write(text), socket }).then(
      (upgrade) => {
        // A client that sent its hello before the server agreed gets no TLS (the handshake fails).
        if (!upgrade || !context || client.unread > 0) return void socket.destroy();
        socket.off("data", onData);
        const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
        secure.on("error", () => undefined);
      },
      () => socket.destroy(),
    );
  });
}

/** Writes `text` one byte per write, with a turn of the event loop between, so the reader sees every split. */
export async function trickle(socket: net.Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text, "latin1")) {
    if (socket.destroyed) return;
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Writes `line` again and again, one write per turn of the event loop, until the client goes away (a hostile server). */
export async function flood(socket: net.Socket, line: string): Promise<void> {
  while (!socket.destroyed) {
    if (!socket.write(line)) await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
