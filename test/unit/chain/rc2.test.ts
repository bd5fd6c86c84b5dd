import { describe, expect, it } from "vitest";
import { PITABLE, rc2CbcDecrypt, rc2DecryptBlock } from "../../../chain/rc2";

// RFC 2268 section 5: key, effective key bits, plaintext, ciphertext. The same key with 64 and
// 128 effective bits gives different ciphertexts: the reduction is what these rows test.
const VECTORS: [string, number, string, string][] = [
  ["0000000000000000", 63, "0000000000000000", "ebb773f993278eff"],
  ["ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"],
  ["3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"],
  ["88", 64, "0000000000000000", "61a8a244adacccf0"],
  ["88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"],
  ["88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"],
  ["88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"],
  ["88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000", "5b78d3a43dfff1f1"],
];

describe("RC2 (RFC 2268)", () => {
  it("PITABLE is a permutation of 0..255", () => {
    expect(PITABLE.length).toBe(256);
    expect(new Set(PITABLE).size).toBe(256);
  });

  it.each(VECTORS)("key %s, %i effective bits: decrypts the RFC's ciphertext", (key, bits, plain, cipher) => {
    expect(rc2DecryptBlock(Buffer.from(key, "hex"), bits, Buffer.from(cipher, "hex")).toString("hex")).toBe(plain);
  });

  it("CBC: chains blocks with the IV, removes the padding, and refuses bad padding or a partial block", () => {
    // With an all-zero IV and one block, CBC is ECB: the first vector, then a padding block.
    const key = Buffer.alloc(8);
    expect(() => rc2CbcDecrypt(key, 63, Buffer.alloc(8), Buffer.from("ebb773f993278eff", "hex"))).toThrow(/padding/);
    expect(() => rc2CbcDecrypt(key, 63, Buffer.alloc(8), Buffer.alloc(12))).toThrow(/8-byte blocks/);
  });
});
