/**
 * The simulated host's IIS side: a TLS listener on loopback for one IIS port, serving on
 * every handshake what the host model's http.sys serves now for the SNI name (or the IP
 * binding without one), so that the probe reads from the wire what "Windows" sends.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { SimulatedWindowsHost } from "./host-model";

export interface SimulatedIisEndpoint {
  /** The loopback port standing for IIS port `iisPort`. */
  port: number;
  close(): Promise<void>;
}

export async function startSimulatedIis(host: SimulatedWindowsHost, iisPort: number): Promise<SimulatedIisEndpoint> {
  const contextFor = (servername: string | undefined) => {
    const served = host.servedFor(iisPort, servername);
    if (!served) return undefined;
    return tls.createSecureContext({ cert: served.chain.map((c) => c.pem).join(""), key: served.key.export({ type: "pkcs8", format: "pem" }) });
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const fallback = contextFor(undefined);
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: fallback,
      SNICallback: (name, done) => done(null, contextFor(name) ?? fallback),
    });
    secure.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
