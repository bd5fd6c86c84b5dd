import { describe, expect, it } from "vitest";
import { planFiles, PRESETS } from "../../../providers/linux/presets";
import { ChainsmithInputError } from "../../../chain/errors";

const codeOf = (step: () => unknown) => {
  try {
    step();
  } catch (error) {
    return (error as ChainsmithInputError).code;
  }
  return undefined;
};

describe("planFiles", () => {
  it("gives nginx a fullchain (0644) and a key (0600) with nginx -t and a reload", () => {
    expect(planFiles({ preset: "nginx" })).toEqual({
      files: [
        { role: "fullchain", path: "/etc/nginx/tls/fullchain.pem", mode: 0o644, owner: undefined, group: undefined },
        { role: "privkey", path: "/etc/nginx/tls/privkey.pem", mode: 0o600, owner: undefined, group: undefined },
      ],
      configTest: "nginx -t",
      reload: "nginx -s reload",
    });
  });

  it("makes a key 0640 when a group must read it", () => {
    const plan = planFiles({ preset: "nginx", files: { privkey: { group: "ssl-cert", owner: "root" } } });
    expect(plan.files[1]).toMatchObject({ mode: 0o640, owner: "root", group: "ssl-cert" });
  });

  it("refuses an owner or group that is not a name (chown would take it as an option)", () => {
    expect(codeOf(() => planFiles({ preset: "nginx", files: { privkey: { owner: "--reference=/etc/shadow" } } }))).toBe("bad-file-owner");
    expect(codeOf(() => planFiles({ preset: "nginx", files: { privkey: { group: "-h" } } }))).toBe("bad-file-owner");
    expect(codeOf(() => planFiles({ preset: "nginx", files: { privkey: { owner: "1001", group: "machine$" } } }))).toBeUndefined();
  });

  it("writes leaf, chain and key separately for Apache before 2.4.8", () => {
    expect(planFiles({ preset: "apache-legacy" }).files.map((f) => f.role)).toEqual(["chain", "cert", "privkey"]);
  });

  it("writes HAProxy's combined PEM, or .pem and .pem.key", () => {
    expect(planFiles({ preset: "haproxy" }).files).toMatchObject([{ role: "combined", path: "/etc/haproxy/certs/site.pem", mode: 0o600 }]);
    expect(planFiles({ preset: "haproxy", haproxySeparateKey: true }).files).toMatchObject([
      { role: "fullchain", path: "/etc/haproxy/certs/site.pem", mode: 0o644 },
      { role: "privkey", path: "/etc/haproxy/certs/site.pem.key", mode: 0o600 },
    ]);
  });

  it("moves files to another directory and keeps their names", () => {
    expect(planFiles({ preset: "postfix", directory: "/srv/tls/" }).files.map((f) => f.path)).toEqual(["/srv/tls/fullchain.pem", "/srv/tls/privkey.pem"]);
  });

  it("has a config test and reload for every preset but custom", () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      if (name === "custom") continue;
      expect([name, Boolean(preset.configTest && preset.reload)]).toEqual([name, true]);
    }
  });

  it("lets a user replace or skip the commands", () => {
    expect(planFiles({ preset: "nginx", configTestCommand: "", reloadCommand: "systemctl reload nginx" })).toMatchObject({ configTest: undefined, reload: "systemctl reload nginx" });
  });

  it("writes only the given files for custom, in any role", () => {
    const plan = planFiles({ preset: "custom", files: { pfx: { path: "/opt/app/site.pfx", mode: "0600" }, cert: { path: "/opt/app/cert.pem" } }, reloadCommand: "systemctl restart app" });
    expect(plan.files.map((f) => [f.role, f.path, f.mode])).toEqual([
      ["cert", "/opt/app/cert.pem", 0o644],
      ["pfx", "/opt/app/site.pfx", 0o600],
    ]);
    expect(plan.configTest).toBeUndefined();
  });

  it("refuses plans that cannot work, with a stable code", () => {
    expect(codeOf(() => planFiles({ preset: "custom" }))).toBe("no-files");
    expect(codeOf(() => planFiles({ preset: "iis" as never }))).toBe("unknown-preset");
    expect(codeOf(() => planFiles({ preset: "custom", files: { cert: { mode: "0644" } } }))).toBe("missing-file-path");
    expect(codeOf(() => planFiles({ preset: "nginx", files: { fullchain: { path: "tls/fullchain.pem" } } }))).toBe("relative-file-path");
    expect(codeOf(() => planFiles({ preset: "nginx", files: { privkey: { path: "/etc/nginx/tls/fullchain.pem" } } }))).toBe("duplicate-file-path");
    expect(codeOf(() => planFiles({ preset: "nginx", files: { privkey: { mode: "0644" } } }))).toBe("key-world-readable");
    expect(codeOf(() => planFiles({ preset: "nginx", files: { fullchain: { mode: "rw-r--r--" } } }))).toBe("bad-file-mode");
  });
});
