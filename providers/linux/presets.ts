// Where each kind of server reads its certificate and key, in which format, and how to test
// its configuration and reload it. File names follow certbot (fullchain.pem, privkey.pem).
import { ChainsmithInputError } from "../../chain/errors";

/**
 * What a file holds: fullchain (leaf then intermediates), chain (intermediates), cert (the
 * leaf), privkey, combined (fullchain then key, HAProxy), pfx (PKCS#12 with the key).
 */
export type FileRole = "fullchain" | "chain" | "cert" | "privkey" | "combined" | "pfx";
export const FILE_ROLES: readonly FileRole[] = ["fullchain", "chain", "cert", "privkey", "combined", "pfx"];
/** Roles that carry the private key. */
export const SECRET_ROLES: readonly FileRole[] = ["privkey", "combined", "pfx"];

export type PresetName = "nginx" | "apache" | "apache-legacy" | "haproxy" | "lighttpd" | "postfix" | "dovecot" | "custom";

export interface Preset {
  /** Default path of each file the server reads. */
  files: Partial<Record<FileRole, string>>;
  configTest?: string;
  reload?: string;
}

// Reload commands that exit 0 prove nothing (FACTS: nginx keeps the old config, HAProxy keeps
// the old worker); the deploy flow therefore always checks the served chain afterwards.
export const PRESETS: Record<PresetName, Preset> = {
  nginx: { files: { fullchain: "/etc/nginx/tls/fullchain.pem", privkey: "/etc/nginx/tls/privkey.pem" }, configTest: "nginx -t", reload: "nginx -s reload" },
  // Apache >= 2.4.8 reads the intermediates from SSLCertificateFile.
  apache: { files: { fullchain: "/etc/apache2/tls/fullchain.pem", privkey: "/etc/apache2/tls/privkey.pem" }, configTest: "apachectl -t", reload: "apachectl graceful" },
  // Older Apache: SSLCertificateFile holds the leaf, SSLCertificateChainFile the intermediates.
  "apache-legacy": {
    files: { cert: "/etc/apache2/tls/cert.pem", chain: "/etc/apache2/tls/chain.pem", privkey: "/etc/apache2/tls/privkey.pem" },
    configTest: "apachectl -t",
    reload: "apachectl graceful",
  },
  haproxy: { files: { combined: "/etc/haproxy/certs/site.pem" }, configTest: "haproxy -c -f /etc/haproxy/haproxy.cfg", reload: "systemctl reload haproxy" },
  lighttpd: { files: { fullchain: "/etc/lighttpd/tls/fullchain.pem", privkey: "/etc/lighttpd/tls/privkey.pem" }, configTest: "lighttpd -tt -f /etc/lighttpd/lighttpd.conf", reload: "systemctl reload lighttpd" },
  // Postfix 3.4+: smtpd_tls_chain_files = privkey.pem, fullchain.pem
  postfix: { files: { fullchain: "/etc/postfix/tls/fullchain.pem", privkey: "/etc/postfix/tls/privkey.pem" }, configTest: "postfix check", reload: "postfix reload" },
  dovecot: { files: { fullchain: "/etc/dovecot/tls/fullchain.pem", privkey: "/etc/dovecot/tls/privkey.pem" }, configTest: "doveconf -n > /dev/null", reload: "doveadm reload" },
  custom: { files: {} },
};

/** Per-file choices a user can make; every field is optional. */
export interface FileOptions {
  path?: string;
  /** Octal string ("0640") or number. */
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface PresetOptions {
  preset: PresetName;
  /** Put the preset's files in this directory, keeping their names. */
  directory?: string;
  /** Per-role overrides; for `custom`, the files to write. `null` leaves a preset's file out. */
  files?: Partial<Record<FileRole, FileOptions | null>>;
  /** HAProxy: write `site.pem` (fullchain) and `site.pem.key` instead of one combined PEM. */
  haproxySeparateKey?: boolean;
  /** Replace the preset's config test; "" skips it. */
  configTestCommand?: string;
  /** Replace the preset's reload command; "" skips it. */
  reloadCommand?: string;
}

export interface PlannedFile {
  role: FileRole;
  path: string;
  mode: number;
  owner?: string;
  group?: string;
}

export interface FilePlan {
  files: PlannedFile[];
  configTest?: string;
  reload?: string;
}

/** The files, modes and commands for a preset with the user's overrides; refuses a plan that cannot work. */
export function planFiles(options: PresetOptions): FilePlan {
  const preset = PRESETS[options.preset];
  if (!preset) {
    throw new ChainsmithInputError("unknown-preset", `Preset "${String(options.preset)}" is not one of ${Object.keys(PRESETS).join(", ")}. Use "custom" with files for other servers.`);
  }
  const defaults: Partial<Record<FileRole, string>> = { ...preset.files };
  if (options.preset === "haproxy" && options.haproxySeparateKey) {
    delete defaults.combined;
    defaults.fullchain = "/etc/haproxy/certs/site.pem";
    defaults.privkey = "/etc/haproxy/certs/site.pem.key";
  }
  const files: PlannedFile[] = [];
  for (const role of FILE_ROLES) {
    const override = options.files?.[role];
    if (override === null) continue;
    let path = override?.path ?? defaults[role];
    if (path === undefined) {
      if (override) throw new ChainsmithInputError("missing-file-path", `The ${role} file has options but no path. Give files.${role}.path.`);
      continue;
    }
    if (options.directory && override?.path === undefined) path = `${options.directory.replace(/\/+$/, "")}/${path.slice(path.lastIndexOf("/") + 1)}`;
    if (!path.startsWith("/")) throw new ChainsmithInputError("relative-file-path", `The ${role} file path "${path}" is relative. Give an absolute path on the target.`);
    files.push({ role, path, mode: modeOf(role, override), owner: accountOf(role, "owner", override?.owner), group: accountOf(role, "group", override?.group) });
  }
  if (files.length === 0) {
    throw new ChainsmithInputError("no-files", `Preset "${options.preset}" has no files to write. Give files, e.g. files: { fullchain: { path: "/etc/ssl/site/fullchain.pem" }, privkey: { path: ... } }.`);
  }
  const seen = new Map<string, FileRole>();
  for (const file of files) {
    const other = seen.get(file.path);
    if (other) throw new ChainsmithInputError("duplicate-file-path", `The ${other} and ${file.role} files both point to ${file.path}. Give each file its own path.`);
    seen.set(file.path, file.role);
  }
  return {
    files,
    configTest: commandOf(options.configTestCommand, preset.configTest),
    reload: commandOf(options.reloadCommand, preset.reload),
  };
}

// Keys are 0600, or 0640 when a group (e.g. ssl-cert) must read them; certificates 0644.
function modeOf(role: FileRole, options: FileOptions | undefined): number {
  const given = options?.mode;
  if (given === undefined) return SECRET_ROLES.includes(role) ? (options?.group !== undefined ? 0o640 : 0o600) : 0o644;
  const mode = typeof given === "number" ? given : parseInt(given, 8);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777 || (typeof given === "string" && !/^0?[0-7]{3,4}$/.test(given))) {
    throw new ChainsmithInputError("bad-file-mode", `Mode ${String(given)} of the ${role} file is not an octal file mode. Give it like "0640".`);
  }
  if (SECRET_ROLES.includes(role) && (mode & 0o007) !== 0) {
    throw new ChainsmithInputError("key-world-readable", `Mode ${String(given)} lets every user read the ${role} file, which holds the private key. Use 0600, or 0640 with a group.`);
  }
  return mode;
}

// POSIX portable user and group names (and numeric ids), plus the trailing $ of Samba machine accounts: never an option.
const ACCOUNT_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/;

function accountOf(role: FileRole, field: "owner" | "group", name: string | undefined): string | undefined {
  if (name === undefined || ACCOUNT_NAME.test(name)) return name;
  throw new ChainsmithInputError("bad-file-owner", `The ${field} ${JSON.stringify(name)} of the ${role} file is not a user or group name. Give a name like "root" or "ssl-cert", or a numeric id.`);
}

function commandOf(given: string | undefined, preset: string | undefined): string | undefined {
  if (given === undefined) return preset;
  return given.trim() === "" ? undefined : given;
}
