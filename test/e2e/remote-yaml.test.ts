// The CertificateDeployment from a YAML program on the real engine, run by Pulumi's own YAML
// language host (scripts/install-yaml-host.sh): a language other than TypeScript, end to end,
// through the provider's Construct.
import * as path from "node:path";
import { describeRemoteComponent } from "./remote-component-suite";

describeRemoteComponent({
  title: "the CertificateDeployment from a YAML program (Construct in the provider)",
  programDir: path.join(__dirname, "programs", "remote-yaml"),
  checkName: "yaml-verify-server-1",
  stackOptions: async () => ({}),
});
