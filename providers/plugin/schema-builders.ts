// The pieces the package schema is written with (schema.ts, component-schema.ts): property
// builders, the tokens of shared types, and the SSH login properties Linux and Windows share.

export type Property = Record<string, unknown>;

export const string = (description: string): Property => ({ type: "string", description });
export const integer = (description: string): Property => ({ type: "integer", description });
export const boolean = (description: string): Property => ({ type: "boolean", description });
export const secret = (description: string): Property => ({ type: "string", secret: true, description });
export const ref = (token: string, description: string): Property => ({ $ref: `#/types/${token}`, description });
export const arrayOf = (items: Property, description: string): Property => ({ type: "array", items, description });
export const strings = (description: string): Property => arrayOf({ type: "string" }, description);
export const enumOf = (description: string, values: readonly string[]) => ({ type: "string", description, enum: values.map((value) => ({ value })) });
/** An object type: every property documented, the required ones named. */
export const objectType = (description: string, properties: Record<string, Property>, required: string[] = []) => ({ type: "object", description, properties, ...(required.length ? { required } : {}) });

export const ENDPOINT = "chainsmith:index:Endpoint";
export const CHAIN_ENTRY = "chainsmith:index:ChainEntry";
export const CLIENT_PROFILE = "chainsmith:index:ClientProfile";
export const ENDPOINT_REPORT = "chainsmith:index:EndpointReport";

const hostKeys = {
  hostKeyFingerprints: strings('OpenSSH SHA256 fingerprints of the host key ("SHA256:..." as `ssh-keygen -lf` prints them).'),
  knownHosts: string("known_hosts lines for the host (plain or hashed names; [host]:port for other ports)."),
  insecureAcceptAnyHostKey: boolean("Accept any host key: a man-in-the-middle risk, warned on every deployment."),
};
export const login = {
  host: string("Host name or address."),
  port: integer("SSH port; default 22."),
  user: string("Login user."),
  ...hostKeys,
};
