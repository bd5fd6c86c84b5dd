// What a dynamic provider's `check` returns: one failure per input a person got wrong, each
// saying what to fix. `pulumi preview` shows them before anything is touched.
import { scrubError } from "./redact";

export class CheckFailures {
  readonly failures: { property: string; reason: string }[] = [];

  /** `secrets`: input values scrubbed from every reason. */
  constructor(private readonly secrets: readonly string[] = []) {}

  /** Runs one validation; the error it throws becomes the property's failure. */
  attempt(property: string, validate: () => void): void {
    try {
      validate();
    } catch (error) {
      this.add(property, scrubError(error, this.secrets).message);
    }
  }

  add(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }
}
