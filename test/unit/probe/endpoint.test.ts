import { describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { endpointLabel, parseEndpoint } from "../../../probe/endpoint";

describe("parseEndpoint", () => {
  it("reads the ways people write endpoints, with 443 by default", () => {
    expect(parseEndpoint("www.example.test")).toEqual({ host: "www.example.test", port: 443 });
    expect(parseEndpoint(" www.example.test:8443 ")).toEqual({ host: "www.example.test", port: 8443 });
    expect(parseEndpoint("127.0.0.1:4433")).toEqual({ host: "127.0.0.1", port: 4433 });
    expect(parseEndpoint("[::1]:4433")).toEqual({ host: "::1", port: 4433 });
    expect(parseEndpoint("[::1]")).toEqual({ host: "::1", port: 443 });
    expect(parseEndpoint("2001:db8::1")).toEqual({ host: "2001:db8::1", port: 443 });
  });

  it("says what is wrong, where", () => {
    expect(() => parseEndpoint("host:https", "targets.txt line 3")).toThrow(/targets.txt line 3: port 'https' in 'host:https' is not a TCP port/);
    expect(() => parseEndpoint("host:0")).toThrow(ChainsmithInputError);
    expect(() => parseEndpoint("https://host/")).toThrow(/is not HOST\[:PORT\]/);
    expect(() => parseEndpoint(":443")).toThrow(/is not HOST\[:PORT\]/);
  });

  it("labels endpoints for messages: IPv6 in brackets, SNI when it is not the host", () => {
    expect(endpointLabel("www.example.test", 443, "www.example.test")).toBe("www.example.test:443");
    expect(endpointLabel("127.0.0.1", 8443, "www.example.test")).toBe("127.0.0.1:8443 (SNI www.example.test)");
    expect(endpointLabel("::1", 443)).toBe("[::1]:443");
  });
});
