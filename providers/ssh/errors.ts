/** What went wrong talking to an SSH target; stable for programs and tests. */
export type SshErrorCode =
  | "host-key-unknown"
  | "unreachable"
  | "timeout"
  | "auth-failed"
  | "bad-client-key"
  | "connection-lost"
  | "no-exit-status"
  | "command-timeout"
  | "sudo-password-required"
  | "sftp-failed";

/**
 * A failure reaching or using an SSH target. The message names the target ("user@host:port"),
 * says what happened and what to do. Never contains key material or passphrases.
 */
export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    readonly target: string,
    /** What happened and what to do, without the target. */
    readonly reason: string,
  ) {
    super(`${target}: ${reason}`);
    this.name = "SshError";
  }
}
