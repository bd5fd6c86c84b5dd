/**
 * Something went wrong on or on the way to a Windows host: the agent refused a step, its
 * output was not the JSON contract, the transport dropped, or IIS never served the desired
 * chain. `code` is stable for programs and tests; messages never hold the PFX or its password.
 */
export class WindowsTargetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "WindowsTargetError";
  }
}

