// TLS files over SSH to a host whose key is not verified: every operation must warn under
// the resource. Config: see test/e2e/insecure-host-key.test.ts.
import * as pulumi from "@pulumi/pulumi";
import { LinuxTlsFiles } from "chainsmith";

const config = new pulumi.Config();
const directory = config.require("directory");

new LinuxTlsFiles("web1-tls", {
  connection: { host: "127.0.0.1", port: config.requireNumber("sshPort"), user: "root", insecureAcceptAnyHostKey: true },
  sshPrivateKey: config.requireSecret("sshPrivateKey"),
  preset: "custom",
  files: { fullchain: { path: `${directory}/fullchain.pem` }, privkey: { path: `${directory}/privkey.pem` } },
  chain: config.require("chain"),
  privateKey: config.requireSecret("privateKey"),
});
