/**
 * An error in something the user gave us (a file, a password, a policy). The message says
 * what is wrong and how to fix it; `code` is stable for programs and tests.
 * Messages never contain key material or passwords.
 */
export class ChainsmithInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ChainsmithInputError";
  }
}

/** No path from the leaf to any anchor exists, or path building ran out of budget. */
export class ChainBuildError extends Error {
  constructor(
    readonly code: "no-valid-path" | "budget-exceeded",
    message: string,
  ) {
    super(message);
    this.name = "ChainBuildError";
  }
}
