import { utils } from "ssh2";
import { ChainsmithInputError } from "../../chain/errors";

/**
 * Refuses an SSH login key that ssh2 cannot read (or not with this passphrase) when the inputs
 * are checked, so that `pulumi preview` fails on it rather than the first login of `pulumi up`.
 */
export function assertClientKey(privateKey: string, passphrase: string | undefined): void {
  const parsed = utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    throw new ChainsmithInputError(
      "bad-client-key",
      `the SSH private key cannot be used (${parsed.message}). Give an OpenSSH or PEM private key, and its passphrase (sshPassphrase) if it is encrypted.`,
    );
  }
}
