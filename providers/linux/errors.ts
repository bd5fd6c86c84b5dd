/** Which step of a Linux deployment failed; stable for programs and tests. */
export type DeployStep = "config-test" | "reload" | "verify" | "write" | "restore";

/**
 * A deployment that failed on the host. The message names the host, the step, the command
 * and its stderr (secrets redacted), and says what state the host was left in.
 */
export class LinuxDeployError extends Error {
  constructor(
    readonly step: DeployStep,
    readonly target: string,
    message: string,
    /** The command that failed, when a command failed. */
    readonly command?: string,
    /** Its stderr, redacted. */
    readonly stderr?: string,
  ) {
    super(`${target}: ${message}`);
    this.name = "LinuxDeployError";
  }
}
