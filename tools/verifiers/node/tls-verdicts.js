// Node.js tls's verdict on each case of chainsmith's verifier-agreement corpus (see
// ../README.md for the line format): tls.connect to the loopback server named by the
// argument, the case's name as SNI, the case's roots as the only `ca`. Host names are not
// checked.
"use strict";
const fs = require("node:fs");
const readline = require("node:readline");
const tls = require("node:tls");

const [host, port] = process.argv[2].split(":");

function handshake(roots, servername) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(port), servername, ca: fs.readFileSync(roots), checkServerIdentity: () => undefined });
    socket.once("secureConnect", () => {
      socket.end();
      resolve({ trusted: true, detail: "ok" });
    });
    socket.once("error", (error) => resolve({ trusted: false, detail: error.code ?? error.message }));
  });
}

(async () => {
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const fields = line.split("\t");
    const verdict = await handshake(fields[1], fields[4]);
    process.stdout.write(`${JSON.stringify({ id: fields[0], ...verdict })}\n`);
  }
})();
