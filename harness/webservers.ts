/**
 * Real nginx, Apache, HAProxy and lighttpd on loopback serving given certificate files, each
 * started as a child of the test (in the foreground) and stopped by its PID. Each returns the
 * commands that test its configuration and reload it, for the deploy flow to run.
 */
import { eventually } from "./eventually";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface WebServer {
  host: string;
  port: number;
  pid: number;
  /** `sh -c` command that checks the configuration (exit 0 when it is valid). */
  configTestCommand: string;
  /** `sh -c` command that makes the running server read its files again. */
  reloadCommand: string;
  /** The server's own log (errors at reload time land here). */
  log(): string;
  stop(): Promise<void>;
}

export interface TlsFiles {
  /** Certificate file: fullchain for nginx, HAProxy's combined PEM or split `.pem`, Apache's SSLCertificateFile. */
  certPath: string;
  /** Key file (nginx, Apache); HAProxy finds `<certPath>.key` itself when the key is separate. */
  keyPath?: string;
  /** Apache < 2.4.8 style SSLCertificateChainFile. */
  chainPath?: string;
  port: number;
}

export async function startNginx(files: TlsFiles): Promise<WebServer> {
  const dir = workDir("nginx");
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) fs.mkdirSync(path.join(dir, sub));
  const config = `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${files.port} ssl;
    server_name _;
    ssl_certificate ${files.certPath};
    ssl_certificate_key ${files.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3; # nginx 1.22 (Debian 12) offers TLS 1.3 only when told to
    location / { return 200 "ok\\n"; }
  }
}
`;
  const cfg = path.join(dir, "nginx.conf");
  fs.writeFileSync(cfg, config);
  const base = `nginx -p ${dir} -c ${cfg} -e ${dir}/error.log`;
  return launch("nginx", dir, ["/usr/sbin/nginx", "-p", dir, "-c", cfg, "-e", `${dir}/error.log`], files.port, {
    configTestCommand: `${base} -t`,
    // HUP to the master, as nginx.org's own systemd unit reloads; `nginx -s reload` costs a full nginx start-up (~30 ms CPU).
    reloadCommand: (pid) => `kill -HUP ${pid}`,
    logFile: `${dir}/error.log`,
  });
}

export async function startApache(files: TlsFiles): Promise<WebServer> {
  const dir = workDir("apache");
  const modules = "/usr/lib/apache2/modules";
  fs.mkdirSync(path.join(dir, "www"));
  const config = `ServerRoot ${dir}
ServerName localhost
DefaultRuntimeDir ${dir}
PidFile ${dir}/apache.pid
ErrorLog ${dir}/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule socache_shmcb_module ${modules}/mod_socache_shmcb.so
LoadModule ssl_module ${modules}/mod_ssl.so
Listen 127.0.0.1:${files.port}
DocumentRoot ${dir}/www
SSLSessionCache none
<VirtualHost 127.0.0.1:${files.port}>
  SSLEngine on
  SSLCertificateFile ${files.certPath}
  SSLCertificateKeyFile ${files.keyPath}
${files.chainPath ? `  SSLCertificateChainFile ${files.chainPath}\n` : ""}</VirtualHost>
`;
  const cfg = path.join(dir, "apache2.conf");
  fs.writeFileSync(cfg, config);
  return launch("apache2", dir, ["/usr/sbin/apache2", "-f", cfg, "-DFOREGROUND"], files.port, {
    configTestCommand: `apache2 -f ${cfg} -t`,
    reloadCommand: () => `apache2 -f ${cfg} -k graceful`,
    logFile: `${dir}/error.log`,
  });
}

export async function startHaproxy(files: TlsFiles): Promise<WebServer> {
  const dir = workDir("haproxy");
  const config = `global
  log stderr format raw local0 warning
defaults
  mode http
  log global
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend tls
  bind 127.0.0.1:${files.port} ssl crt ${files.certPath}
  http-request return status 200 content-type text/plain string ok
`;
  const cfg = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfg, config);
  // Master-worker mode: USR2 to the master (our child) reloads, as systemd's reload does.
  return launch("haproxy", dir, ["/usr/sbin/haproxy", "-W", "-db", "-f", cfg], files.port, {
    configTestCommand: `haproxy -c -q -f ${cfg}`,
    reloadCommand: (pid) => `kill -USR2 ${pid}`,
  });
}

export async function startLighttpd(files: TlsFiles): Promise<WebServer> {
  const dir = workDir("lighttpd");
  fs.mkdirSync(path.join(dir, "www"));
  // lighttpd >= 1.4.53 sends the chain that follows the leaf in ssl.pemfile.
  const config = `server.document-root = "${dir}/www"
server.bind = "127.0.0.1"
server.port = ${files.port}
server.pid-file = "${dir}/lighttpd.pid"
server.errorlog = "${dir}/error.log"
server.modules = ("mod_openssl")
ssl.engine = "enable"
ssl.pemfile = "${files.certPath}"
ssl.privkey = "${files.keyPath}"
`;
  const cfg = path.join(dir, "lighttpd.conf");
  fs.writeFileSync(cfg, config);
  return launch("lighttpd", dir, ["/usr/sbin/lighttpd", "-D", "-f", cfg], files.port, {
    configTestCommand: `lighttpd -tt -f ${cfg}`,
    // USR1: graceful restart with the files read again, as Debian's unit reloads.
    reloadCommand: (pid) => `kill -USR1 ${pid}`,
    logFile: `${dir}/error.log`,
  });
}

export interface Commands {
  configTestCommand: string;
  reloadCommand: (pid: number) => string;
  logFile?: string;
  /** Other ports the server listens on, waited for too. */
  morePorts?: number[];
}

/** Starts `argv` as a child and resolves once it listens on `port`; stop() ends it and removes `dir`. */
export async function launch(name: string, dir: string, argv: string[], port: number, commands: Commands, spawnOptions: { uid?: number; gid?: number } = {}): Promise<WebServer> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...spawnOptions });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const log = () => output + (commands.logFile && fs.existsSync(commands.logFile) ? fs.readFileSync(commands.logFile, "utf8") : "");
  try {
    for (const each of [port, ...(commands.morePorts ?? [])]) await waitUntilListening(name, child, each, log);
  } catch (error) {
    child.kill("SIGTERM");
    throw error;
  }
  return {
    host: "127.0.0.1",
    port,
    pid: child.pid!,
    configTestCommand: commands.configTestCommand,
    reloadCommand: commands.reloadCommand(child.pid!),
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function workDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chainsmith-${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * Resolves once `child` itself listens on 127.0.0.1:`port`. A plain connect is not proof:
 * another test may have taken the port between freePort() and the bind, and then the
 * server under test only retries and exits.
 */
export async function waitUntilListening(name: string, child: ChildProcess, port: number, output: () => string, timeoutMs = 30_000): Promise<void> {
  await eventually(`${name} (pid ${child.pid}) listens on port ${port}`, () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}: ${output()}`);
    return listensOn(child.pid!, port);
  }, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}: ${output()}`);
  });
}

function listensOn(pid: number, port: number): boolean {
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inodes = fs
    .readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === wanted && fields[3] === "0A") // 0A: LISTEN
    .map((fields) => `socket:[${fields[9]}]`);
  if (inodes.length === 0) return false;
  // The socket may be held by a worker (HAProxy -W), so look at the child's descendants too.
  return processTree(pid).some((member) => {
    try {
      return fs.readdirSync(`/proc/${member}/fd`).some((fd) => {
        try {
          return inodes.includes(fs.readlinkSync(`/proc/${member}/fd/${fd}`));
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}

function processTree(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(processTree)];
}

/** Direct children of a process (empty once it is gone). */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The uid and gid of a system user a server runs as (made by its Debian package). */
export function userIds(user: string): { uid: number; gid: number } {
  const fields = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((line) => line.startsWith(`${user}:`))?.split(":");
  if (!fields) throw new Error(`user ${user} does not exist: install the Debian package that makes it (scripts/setup.sh does)`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Whether a server binary is installed; tests that need it fail with this reason otherwise. */
export function assertInstalled(binary: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${binary} || test -x /usr/sbin/${binary}`], { stdio: "ignore" });
  } catch {
    throw new Error(`${binary} is not installed; install the Debian package (scripts/setup.sh does) to run this test`);
  }
}
