// The CertificateDeployment as a remote component on the real engine, from a TypeScript program
// written against the generated Node.js SDK (sdk/nodejs, compiled as a user would): the provider
// plugin builds the component (Construct), as it does for every other language. The program
// cannot reach the in-process class: only @chainsmith/sdk is on its NODE_PATH.
import * as path from "node:path";
import { buildNodeSdk } from "../support/node-sdk";
import { describeRemoteComponent } from "./remote-component-suite";

describeRemoteComponent({
  title: "the CertificateDeployment through the generated Node.js SDK (Construct in the provider)",
  programDir: path.join(__dirname, "programs", "remote-component"),
  checkName: "remote-verify",
  stackOptions: async (stateDir) => ({ env: { NODE_PATH: await buildNodeSdk(stateDir) } }),
});
