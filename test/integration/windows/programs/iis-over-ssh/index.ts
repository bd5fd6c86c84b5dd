// One IisCertificate over SSH, as a user's program would declare it; the test points it at
// the simulated Windows host. Config: host, sshPort, user, hostKeyFingerprint, chainFile,
// knownCertificatesFile, programRootsFile, site, port, hostName, endpointPort, at;
// secrets: sshPrivateKey, privateKey.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { IisCertificate } from "../../../../../providers/windows/iis-provider";

const config = new pulumi.Config();
const hostName = config.require("hostName");

const web = new IisCertificate("web1", {
  connection: { host: config.require("host"), port: config.requireNumber("sshPort"), user: config.require("user"), hostKeyFingerprints: [config.require("hostKeyFingerprint")] },
  sshPrivateKey: config.requireSecret("sshPrivateKey"),
  chain: fs.readFileSync(config.require("chainFile"), "utf8"),
  privateKey: config.requireSecret("privateKey"),
  binding: { site: config.require("site"), port: config.requireNumber("port"), host: hostName },
  knownCertificates: fs.readFileSync(config.require("knownCertificatesFile"), "utf8"),
  programRootsFile: config.require("programRootsFile"),
  endpoint: { host: "127.0.0.1", port: config.requireNumber("endpointPort"), servername: hostName },
  at: config.require("at"),
});

export const servedChain = web.servedChain;
export const preview = web.preview;
export const rungs = web.rungs;
