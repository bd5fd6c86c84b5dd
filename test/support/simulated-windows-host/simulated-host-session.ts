/**
 * A simulated Windows host reachable as a real one would be: the agent over SSH (host key
 * pinned) and IIS on a loopback TLS port, with the SSH transport already connected.
 */
import { SshAgentTransport } from "../../../providers/windows/ssh-transport";
import { SimulatedWindowsHost } from "./host-model";
import { SimulatedIisEndpoint, startSimulatedIis } from "./iis-tls-endpoint";
import { SimulatedSshServer, startSimulatedSshServer } from "./ssh-agent-server";

export interface SimulatedHostSession {
  host: SimulatedWindowsHost;
  ssh: SimulatedSshServer;
  iis: SimulatedIisEndpoint;
  transport: SshAgentTransport;
  /** Log lines the transport wrote. */
  log: string[];
  /** SSH options for this host (for the provider's inputs). */
  sshOptions: { host: string; port: number; user: string; privateKey: string; hostKeyFingerprints: string[] };
  close(): Promise<void>;
}

export async function openSimulatedHost(host: SimulatedWindowsHost, iisPort = 443): Promise<SimulatedHostSession> {
  const ssh = await startSimulatedSshServer(host);
  const iis = await startSimulatedIis(host, iisPort);
  const log: string[] = [];
  const sshOptions = { host: "127.0.0.1", port: ssh.port, user: ssh.user, privateKey: ssh.clientKey, hostKeyFingerprints: [ssh.hostKeyFingerprint] };
  const transport = await SshAgentTransport.connect(sshOptions, (line) => log.push(line));
  return {
    host,
    ssh,
    iis,
    transport,
    log,
    sshOptions,
    close: async () => {
      await transport.close();
      await ssh.close();
      await iis.close();
    },
  };
}
