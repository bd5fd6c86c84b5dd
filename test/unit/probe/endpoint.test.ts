import { describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { checkProtocol, DEFAULT_PORTS, endpointLabel, parseEndpoint, PROTOCOLS } from "../../../probe/endpoint";

describe("parseEndpoint", () => {
  it("reads the ways people write endpoints, with 443 by default", () => {
    expect(parseEndpoint("www.example.test")).toEqual({ host: "www.example.test", port: 443 });
    expect(parseEndpoint(" www.example.test:8443 ")).toEqual({ host: "www.example.test", port: 8443 });
    expect(parseEndpoint("127.0.0.1:4433")).toEqual({ host: "127.0.0.1", port: 4433 });
    expect(parseEndpoint("[::1]:4433")).toEqual({ host: "::1", port: 4433 });
    expect(parseEndpoint("[::1]")).toEqual({ host: "::1", port: 443 });
    expect(parseEndpoint("2001:db8::1")).toEqual({ host: "2001:db8::1", port: 443 });
  });

  it("reads PROTOCOL://, with each protocol's default port", () => {
    expect(parseEndpoint("smtp://mail.example.test:587")).toEqual({ host: "mail.example.test", port: 587, protocol: "smtp" });
    expect(parseEndpoint("SMTP://mail.example.test")).toEqual({ host: "mail.example.test", port: 25, protocol: "smtp" });
    expect(parseEndpoint("imaps://[::1]")).toEqual({ host: "::1", port: 993, protocol: "imaps" });
    expect(parseEndpoint("postgres://db.example.test")).toEqual({ host: "db.example.test", port: 5432, protocol: "postgres" });
    expect(parseEndpoint("tls://www.example.test")).toEqual({ host: "www.example.test", port: 443, protocol: "tls" });
    expect(parseEndpoint("https://www.example.test:8443")).toEqual({ host: "www.example.test", port: 8443, protocol: "tls" });
    expect(PROTOCOLS.map((p) => `${p} ${DEFAULT_PORTS[p]}`)).toEqual([
      "tls 443", "smtp 25", "smtps 465", "imap 143", "imaps 993", "pop3 110", "pop3s 995", "ftp 21", "ldap 389", "ldaps 636", "postgres 5432", "xmpp 5222",
    ]);
  });

  it("says what is wrong, where", () => {
    expect(() => parseEndpoint("host:https", "targets.txt line 3")).toThrow(/targets.txt line 3: port 'https' in 'host:https' is not a TCP port/);
    expect(() => parseEndpoint("host:0")).toThrow(ChainsmithInputError);
    expect(() => parseEndpoint("smtp://host/")).toThrow(/is not \[PROTOCOL:\/\/\]HOST\[:PORT\]/);
    expect(() => parseEndpoint(":443")).toThrow(/is not \[PROTOCOL:\/\/\]HOST\[:PORT\]/);
    expect(() => parseEndpoint("http://host")).toThrow(/protocol 'http' is not one the probe speaks. Use one of tls, smtp, smtps, imap, /);
    expect(() => checkProtocol("smtp-starttls", "endpoints[0]")).toThrow(expect.objectContaining({ code: "unknown-protocol", message: expect.stringMatching(/^endpoints\[0\]: protocol 'smtp-starttls'/) }));
  });

  it("labels endpoints for messages: IPv6 in brackets, SNI when it is not the host", () => {
    expect(endpointLabel("www.example.test", 443, "www.example.test")).toBe("www.example.test:443");
    expect(endpointLabel("127.0.0.1", 8443, "www.example.test")).toBe("127.0.0.1:8443 (SNI www.example.test)");
    expect(endpointLabel("::1", 443)).toBe("[::1]:443");
    expect(endpointLabel("127.0.0.1", 587, "mail.example.test", "smtp")).toBe("smtp://127.0.0.1:587 (SNI mail.example.test)");
    expect(endpointLabel("www.example.test", 443, undefined, "tls")).toBe("www.example.test:443");
  });
});
