// The chainsmith provider plugin (`pulumi-resource-chainsmith`): the Pulumi engine starts it
// and speaks the provider protocol to it. The SDK's provider server does the handshake and
// serves the schema and Construct (construct.ts: the CertificateDeployment for any language);
// the resource methods are ours (resource-service.ts). No code and no
// path of this machine goes into the state: a stack works from any checkout.
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import { linuxTlsFiles } from "../linux/methods";
import { SshConnection } from "../ssh/connection";
import { servedChainCheck } from "../served-chain/methods";
import { iisCertificate } from "../windows/methods";
import { construct } from "./construct";
import { EngineLog } from "./engine-log";
import { resourceService } from "./resource-service";
import { packageSchema } from "./schema";
import { grpc } from "./sdk-grpc";

export const RESOURCE_KINDS = [linuxTlsFiles, iisCertificate, servedChainCheck];

/** The version of the installed chainsmith package (the plugin is versioned with it). */
export function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
      if (pkg.name === "chainsmith") return pkg.version;
    }
  }
  throw new Error("chainsmith: cannot find the package.json of chainsmith above " + __dirname);
}

// The SDK's own reading of the plugin's arguments (flags such as --tracing ADDR, then the engine's address); untyped there.
const { parseArgs } = require("@pulumi/pulumi/provider/internals") as { parseArgs(args: string[]): { engineAddress: string } | undefined };

/** Serves the provider protocol; `args` are the plugin's command-line arguments (the engine's address first). */
// The engine calls Diff (which reads the host) and then Update (which writes it) moments apart:
// one SSH login serves both.
const KEEP_SSH_CONNECTIONS_MS = 60_000;

export function serve(args: string[]): Promise<void> {
  SshConnection.keepIdleFor(KEEP_SSH_CONNECTIONS_MS);
  const log = new EngineLog(parseArgs(args)?.engineAddress);
  const resources = resourceService(RESOURCE_KINDS, log);
  // The SDK registers its own handlers: ours take over the resource methods, the rest stay its own.
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service, implementation) {
    const attach = (implementation as { attach: (call: { request: { getAddress(): string } }, callback: unknown) => void }).attach;
    const merged = Object.assign(Object.create(implementation), resources, {
      attach(call: { request: { getAddress(): string } }, callback: unknown) {
        log.attach(call.request.getAddress());
        return attach.call(implementation, call, callback);
      },
    });
    return addService.call(this, service, merged);
  };
  const version = packageVersion();
  return main({ version, getSchema: async () => packageSchema(version), construct }, args);
}

if (require.main === module) {
  serve(process.argv.slice(2)).catch((error: Error) => {
    console.error(`chainsmith provider: ${error.message}`);
    process.exit(1);
  });
}
