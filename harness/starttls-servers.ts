/**
 * Real STARTTLS servers other than mail on loopback: PostgreSQL, OpenLDAP's slapd (GnuTLS),
 * vsftpd and Prosody (XMPP), each serving one fullchain file from a temp directory as a child of the test,
 * stopped by its PID. No preset deploys to them: they return no config test command.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { MailServer, MailTlsFiles } from "./mail-servers";
import { freePort } from "./tls-servers";
import { launch, userIds, workDir, type WebServer } from "./webservers";

// Debian 12's PostgreSQL.
const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

/** A fresh cluster (initdb), the postmaster run as the `postgres` user (it refuses root). */
export async function startPostgres(files: MailTlsFiles): Promise<WebServer> {
  if (!fs.existsSync(`${POSTGRES_BIN}/postgres`)) throw new Error(`${POSTGRES_BIN}/postgres is not installed; install the Debian package postgresql (scripts/setup.sh does)`);
  const dir = workDir("postgres");
  const user = userIds("postgres");
  // The server reads its key only when the key file is its own (or root's with mode 0640 at most).
  const tls = path.join(dir, "tls");
  fs.mkdirSync(tls, { mode: 0o700 });
  fs.copyFileSync(files.fullchainPath, path.join(tls, "fullchain.pem"));
  fs.copyFileSync(files.keyPath, path.join(tls, "privkey.pem"));
  fs.chmodSync(path.join(tls, "privkey.pem"), 0o600);
  for (const file of [dir, tls, path.join(tls, "fullchain.pem"), path.join(tls, "privkey.pem")]) fs.chownSync(file, user.uid, user.gid);
  await promisify(execFile)(`${POSTGRES_BIN}/initdb`, ["-D", `${dir}/data`, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"], { ...user, cwd: dir });
  const port = await freePort();
  const settings = { listen_addresses: "127.0.0.1", port: String(port), unix_socket_directories: dir, ssl: "on", ssl_cert_file: `${tls}/fullchain.pem`, ssl_key_file: `${tls}/privkey.pem`, fsync: "off" };
  const argv = [`${POSTGRES_BIN}/postgres`, "-D", `${dir}/data`, ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])];
  return launch("postgres", dir, argv, port, { configTestCommand: "", reloadCommand: (pid) => `kill -HUP ${pid}` }, user);
}

/** slapd in the foreground (-d 0) with no database: StartTLS on ldap://, implicit TLS on ldaps://. */
export async function startSlapd(files: MailTlsFiles): Promise<MailServer<"ldap" | "ldaps">> {
  const dir = workDir("slapd");
  const ports = { ldap: await freePort(), ldaps: await freePort() };
  const cfg = path.join(dir, "slapd.conf");
  fs.writeFileSync(
    cfg,
    `include /etc/ldap/schema/core.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCertificateFile ${files.fullchainPath}
TLSCertificateKeyFile ${files.keyPath}
`,
  );
  const urls = `ldap://127.0.0.1:${ports.ldap}/ ldaps://127.0.0.1:${ports.ldaps}/`;
  const server = await launch("slapd", dir, ["/usr/sbin/slapd", "-d", "0", "-h", urls, "-f", cfg], ports.ldap, { configTestCommand: "", reloadCommand: () => "", morePorts: [ports.ldaps] });
  return { ...server, ports };
}

/** vsftpd in the foreground with AUTH TLS; nobody can log in (PAM is not set up for it). */
export async function startVsftpd(files: MailTlsFiles): Promise<WebServer> {
  const dir = workDir("vsftpd");
  fs.mkdirSync(path.join(dir, "empty"), { mode: 0o755 });
  const port = await freePort();
  const cfg = path.join(dir, "vsftpd.conf");
  fs.writeFileSync(
    cfg,
    `listen=YES
listen_address=127.0.0.1
listen_port=${port}
background=NO
anonymous_enable=NO
local_enable=YES
pam_service_name=chainsmith-no-such-service
ssl_enable=YES
rsa_cert_file=${files.fullchainPath}
rsa_private_key_file=${files.keyPath}
secure_chroot_dir=${dir}/empty
pasv_enable=NO
seccomp_sandbox=NO
xferlog_enable=NO
`,
  );
  return launch("vsftpd", dir, ["/usr/sbin/vsftpd", cfg], port, { configTestCommand: "", reloadCommand: () => "" });
}

/** Prosody in the foreground with one virtual host, `domain`: XMPP client connections with STARTTLS. */
export async function startProsody(files: MailTlsFiles, domain: string): Promise<WebServer> {
  const dir = workDir("prosody");
  fs.mkdirSync(path.join(dir, "data"));
  const port = await freePort();
  const cfg = path.join(dir, "prosody.cfg.lua");
  fs.writeFileSync(
    cfg,
    `run_as_root = true
daemonize = false
pidfile = "${dir}/prosody.pid"
data_path = "${dir}/data"
certificates = "${dir}/data"
log = { { levels = { min = "warn" }, to = "console" } }
interfaces = { "127.0.0.1" }
c2s_ports = { ${port} }
c2s_direct_tls_ports = {}
s2s_ports = {}
component_ports = {}
http_ports = {}
https_ports = {}
modules_enabled = { "tls", "saslauth", "disco" }
modules_disabled = { "s2s", "posix" }
VirtualHost "${domain}"
  ssl = { certificate = "${files.fullchainPath}", key = "${files.keyPath}" }
`,
  );
  return launch("prosody", dir, ["/usr/bin/prosody", "--config", cfg], port, { configTestCommand: "", reloadCommand: () => "" });
}
