/**
 * Real Postfix and Dovecot on loopback, each with its own configuration in a temp directory,
 * started as a child of the test in the foreground and stopped by its PID. Like the web
 * servers, each returns the commands that test its configuration and reload it.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./tls-servers";
import { launch, userIds, workDir, type WebServer } from "./webservers";

export interface MailTlsFiles {
  /** Leaf then intermediates (Postfix smtpd_tls_chain_files, Dovecot ssl_cert). */
  fullchainPath: string;
  keyPath: string;
}

/** A server with several listeners; `port` is the first of them. */
export interface MailServer<Service extends string> extends WebServer {
  ports: Record<Service, number>;
}

export type PostfixService = "smtp" | "submission" | "smtps";

/**
 * Postfix's master in the foreground (`master -s`, what `postfix start-fg` runs when it is
 * not PID 1) with smtpd on three ports: SMTP with STARTTLS offered, submission with TLS
 * required (as on 587) and implicit TLS (as on 465). No mail is delivered: no local transport.
 */
export async function startPostfix(files: MailTlsFiles): Promise<MailServer<PostfixService>> {
  const dir = workDir("postfix");
  const etc = path.join(dir, "etc");
  for (const sub of ["etc", "queue", "data"]) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
  fs.chownSync(path.join(dir, "data"), userIds("postfix").uid, 0);
  const ports = { smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
  fs.writeFileSync(
    path.join(etc, "main.cf"),
    `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.starttls.test
mydestination =
inet_protocols = ipv4
alias_maps =
alias_database =
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
smtpd_tls_chain_files = ${files.keyPath}, ${files.fullchainPath}
smtpd_tls_security_level = may
`,
  );
  // chroot "n": the services run in the real file system, which has the TLS files.
  fs.writeFileSync(
    path.join(etc, "master.cf"),
    `127.0.0.1:${ports.smtp} inet n - n - - smtpd
127.0.0.1:${ports.submission} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt
127.0.0.1:${ports.smtps} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
tlsmgr unix - - n 1000? 1 tlsmgr
anvil unix - - n - 1 anvil
rewrite unix - - n - - trivial-rewrite
cleanup unix n - n - 0 cleanup
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
postlog unix-dgram n - n - 1 postlogd
`,
  );
  // `postfix check` makes the queue's subdirectories, as `postfix start` would.
  await run("postfix", ["-c", etc, "check"], `${dir}/maillog`);
  const server = await launch("postfix", dir, ["/usr/lib/postfix/sbin/master", "-c", etc, "-s"], ports.smtp, {
    configTestCommand: `postfix -c ${etc} check`,
    reloadCommand: () => `postfix -c ${etc} reload`,
    logFile: `${dir}/maillog`,
    morePorts: [ports.submission, ports.smtps],
  });
  return { ...server, ports };
}

export type DovecotService = "imap" | "imaps" | "pop3" | "pop3s";

/** `dovecot -F -c cfg`: IMAP and POP3 with STARTTLS, and their implicit-TLS ports. Nobody can log in. */
export async function startDovecot(files: MailTlsFiles): Promise<MailServer<DovecotService>> {
  const dir = workDir("dovecot");
  const ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort(), pop3s: await freePort() };
  const listener = (name: string, port: number, ssl: boolean) => `  inet_listener ${name} {\n    address = 127.0.0.1\n    port = ${port}\n${ssl ? "    ssl = yes\n" : ""}  }\n`;
  const cfg = path.join(dir, "dovecot.conf");
  fs.writeFileSync(path.join(dir, "no-users"), "");
  fs.writeFileSync(
    cfg,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <${files.fullchainPath}
ssl_key = <${files.keyPath}
ssl_min_protocol = TLSv1.2
passdb {
  driver = passwd-file
  args = ${dir}/no-users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service imap-login {
${listener("imap", ports.imap, false)}${listener("imaps", ports.imaps, true)}}
service pop3-login {
${listener("pop3", ports.pop3, false)}${listener("pop3s", ports.pop3s, true)}}
`,
  );
  const server = await launch("dovecot", dir, ["/usr/sbin/dovecot", "-F", "-c", cfg], ports.imap, {
    configTestCommand: `doveconf -c ${cfg} -n > /dev/null`,
    reloadCommand: () => `doveadm -c ${cfg} reload`,
    logFile: `${dir}/dovecot.log`,
    morePorts: [ports.imaps, ports.pop3, ports.pop3s],
  });
  return { ...server, ports };
}

async function run(command: string, args: string[], logFile: string): Promise<void> {
  try {
    await promisify(execFile)(command, args);
  } catch (error) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
    throw new Error(`${command} ${args.join(" ")} failed: ${(error as Error).message} ${log}`);
  }
}
