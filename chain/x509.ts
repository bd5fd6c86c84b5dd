// @peculiar/x509, set up once: its dependency injection needs the reflect polyfill, and
// its crypto provider is Node's WebCrypto. Import x509 from here, never directly.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// Node 20 types its WebCrypto apart from the DOM Crypto type the library names.
x509.cryptoProvider.set(webcrypto as never);

export { x509 };
