/**
 * A real PostgreSQL server on loopback with TLS on: a fresh cluster (initdb) in a temp
 * directory, the postmaster run as the `postgres` user (it refuses root) as a child of the
 * test, stopped by its PID.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { MailTlsFiles } from "./mail-servers";
import { freePort } from "./tls-servers";
import { launch, userIds, workDir, type WebServer } from "./webservers";

// Debian 12's PostgreSQL.
const BIN = "/usr/lib/postgresql/15/bin";

export async function startPostgres(files: MailTlsFiles): Promise<WebServer> {
  if (!fs.existsSync(`${BIN}/postgres`)) throw new Error(`${BIN}/postgres is not installed; install the Debian package postgresql (scripts/setup.sh does)`);
  const dir = workDir("postgres");
  const user = userIds("postgres");
  // The server reads its key only when the key file is its own (or root's with mode 0640 at most).
  const tls = path.join(dir, "tls");
  fs.mkdirSync(tls, { mode: 0o700 });
  fs.copyFileSync(files.fullchainPath, path.join(tls, "fullchain.pem"));
  fs.copyFileSync(files.keyPath, path.join(tls, "privkey.pem"));
  fs.chmodSync(path.join(tls, "privkey.pem"), 0o600);
  for (const file of [dir, tls, path.join(tls, "fullchain.pem"), path.join(tls, "privkey.pem")]) fs.chownSync(file, user.uid, user.gid);
  await promisify(execFile)(`${BIN}/initdb`, ["-D", `${dir}/data`, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"], { ...user, cwd: dir });
  const port = await freePort();
  const settings = { listen_addresses: "127.0.0.1", port: String(port), unix_socket_directories: dir, ssl: "on", ssl_cert_file: `${tls}/fullchain.pem`, ssl_key_file: `${tls}/privkey.pem`, fsync: "off" };
  const argv = [`${BIN}/postgres`, "-D", `${dir}/data`, ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])];
  // PostgreSQL has no configuration test command (no preset deploys to it); SIGHUP reloads its TLS files.
  return launch("postgres", dir, argv, port, { configTestCommand: "true", reloadCommand: (pid) => `kill -HUP ${pid}` }, user);
}
