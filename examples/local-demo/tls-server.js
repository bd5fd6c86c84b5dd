// The demo's web server: a detached Node TLS server on loopback that serves <dir>/fullchain.pem
// and <dir>/privkey.pem exactly as the files hold them, and reads them again on SIGHUP (the
// "reload" of the local target). It writes its PID and port beside the files once listening.
//
//   node tls-server.js <dir> [port]      (port 0 or none: any free port)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const tls = require("node:tls");

const [dir, port = "0"] = process.argv.slice(2);
const secureContext = () => ({ cert: fs.readFileSync(path.join(dir, "fullchain.pem")), key: fs.readFileSync(path.join(dir, "privkey.pem")) });

const server = tls.createServer(secureContext(), (socket) => socket.end("chainsmith local demo\n"));
server.on("tlsClientError", () => undefined);
process.on("SIGHUP", () => {
  try {
    server.setSecureContext(secureContext());
  } catch (error) {
    // Like nginx: a bad file keeps the old certificate in service.
    console.error(`tls-server: reload failed, serving the previous files: ${error.message}`);
  }
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
// Written whole (temp file, then rename), port first: whoever sees server.pid reads a full PID.
// (An empty PID file read as 0 would make `kill 0` signal the reader's whole process group.)
const writeWhole = (name, text) => {
  fs.writeFileSync(path.join(dir, `.${name}.tmp`), text);
  fs.renameSync(path.join(dir, `.${name}.tmp`), path.join(dir, name));
};
server.listen(Number(port), "127.0.0.1", () => {
  writeWhole("server.port", String(server.address().port));
  writeWhole("server.pid", String(process.pid));
});
