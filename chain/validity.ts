// Certificates that are expired or not yet valid, as errors the user can act on: renew the
// leaf, fetch the current intermediate, or check the clock. Not "no valid path".
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";

/** Throws unless every certificate of `chain` (leaf first) is valid at `at`. */
export function assertValidAt(chain: readonly Certificate[], at: Date): void {
  const checked = `(checked at ${at.toISOString()})`;
  chain.forEach((cert, i) => {
    const what = i === 0 ? `The leaf ${cert.label}` : `Position ${i + 1} of the chain, ${cert.label},`;
    if (at.getTime() > cert.notAfter.getTime()) {
      const fix = i === 0 ? "Renew it and give the new certificate." : "Give its current version (the CA publishes it), or let chainsmith choose from a pool.";
      throw new ChainsmithInputError(i === 0 ? "leaf-expired" : "chain-certificate-expired", `${what} expired on ${cert.notAfter.toISOString()} ${checked}. ${fix}`);
    }
    if (at.getTime() < cert.notBefore.getTime()) {
      throw new ChainsmithInputError(
        i === 0 ? "leaf-not-yet-valid" : "chain-certificate-not-yet-valid",
        `${what} is not valid before ${cert.notBefore.toISOString()} ${checked}. Check the clock (or --at), or deploy it from that time on.`,
      );
    }
  });
}
