// RC2 decryption (RFC 2268) in CBC mode, for reading legacy PKCS#12 files: older Windows,
// Java keytool and OpenSSL 1.x encrypt the certificates with RC2-40, and OpenSSL 3 (so
// node:crypto) has RC2 only in its legacy provider, which Node does not load. Decryption
// only: chainsmith never writes RC2.

// RFC 2268 section 2: PITABLE, a permutation of 0..255 from the digits of pi.
export const PITABLE = Buffer.from(
  "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32" +
  "bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626" +
  "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a" +
  "961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731" +
  "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e" +
  "c5f3db47e5a59c770aa62068fe7fc1ad",
  "hex",
);

/** The 64 16-bit subkeys for `key` (1..128 bytes) reduced to `effectiveBits` (1..1024): RFC 2268 section 2. */
function expandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const t = key.length;
  const t8 = Math.ceil(effectiveBits / 8);
  const tm = 0xff >> (8 * t8 - effectiveBits);
  const l = new Uint8Array(128);
  l.set(key);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1] + l[i - t]) & 0xff];
  l[128 - t8] = PITABLE[l[128 - t8] & tm];
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1] ^ l[i + t8]];
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i] | (l[2 * i + 1] << 8);
  return k;
}

const ROTATIONS = [1, 2, 3, 5];

/** One 8-byte block, decrypted in place: 5 r-mixing rounds, r-mashing, 6 r-mixing, r-mashing, 5 r-mixing (section 4). */
function decryptBlock(k: Uint16Array, block: Buffer, offset: number): void {
  const r = [0, 1, 2, 3].map((i) => block.readUInt16LE(offset + 2 * i));
  let j = 63;
  const mix = () => {
    for (let i = 3; i >= 0; i--) {
      const s = ROTATIONS[i];
      r[i] = ((r[i] >>> s) | (r[i] << (16 - s))) & 0xffff;
      r[i] = (r[i] - k[j--] - (r[(i + 3) % 4] & r[(i + 2) % 4]) - (~r[(i + 3) % 4] & r[(i + 1) % 4])) & 0xffff;
    }
  };
  const mash = () => {
    for (let i = 3; i >= 0; i--) r[i] = (r[i] - k[r[(i + 3) % 4] & 63]) & 0xffff;
  };
  [5, 6, 5].forEach((rounds, stage) => {
    for (let n = 0; n < rounds; n++) mix();
    if (stage < 2) mash();
  });
  r.forEach((word, i) => block.writeUInt16LE(word, offset + 2 * i));
}

/** Decrypts one block (ECB), as the RFC's test vectors give it. */
export function rc2DecryptBlock(key: Buffer, effectiveBits: number, block: Buffer): Buffer {
  const out = Buffer.from(block);
  decryptBlock(expandKey(key, effectiveBits), out, 0);
  return out;
}

/** CBC decryption with PKCS#7 padding removed; throws on a bad length or padding (a wrong key). */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer {
  if (data.length === 0 || data.length % 8 !== 0 || iv.length !== 8) throw new Error("RC2-CBC data is not whole 8-byte blocks");
  const k = expandKey(key, effectiveBits);
  const out = Buffer.from(data);
  for (let offset = 0; offset < out.length; offset += 8) {
    decryptBlock(k, out, offset);
    const previous = offset === 0 ? iv : data.subarray(offset - 8, offset);
    for (let i = 0; i < 8; i++) out[offset + i] ^= previous[i];
  }
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 8 || out.subarray(out.length - pad).some((b) => b !== pad)) throw new Error("bad RC2-CBC padding");
  return out.subarray(0, out.length - pad);
}
