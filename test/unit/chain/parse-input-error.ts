// Test helpers for input errors, shared by the parse, key and PFX tests.
import { execFileSync } from "node:child_process";
import { ChainsmithInputError } from "../../../chain/errors";

/** The ChainsmithInputError `run` throws; fails the test if it throws nothing or something else. */
export function inputError(run: () => unknown): ChainsmithInputError {
  try {
    run();
  } catch (e) {
    if (e instanceof ChainsmithInputError) return e;
    throw e;
  }
  throw new Error("expected a ChainsmithInputError");
}

/** A PEM CSR from openssl req, with a throwaway key. */
export function csrPem(cn: string): string {
  const args = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", `/CN=${cn}`];
  return execFileSync("openssl", args, { stdio: ["ignore", "pipe", "ignore"] }).toString();
}
