// The gRPC library and protocol messages of the installed @pulumi/pulumi: the provider server
// is the SDK's, so its own copies (not any other) are the ones to hook and to build messages with.
import * as path from "node:path";

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const sdkRequire = (id: string) => require(require.resolve(id, { paths: [sdkDir] }));

export const grpc: typeof import("@grpc/grpc-js") = sdkRequire("@grpc/grpc-js");
/* eslint-disable @typescript-eslint/no-explicit-any */
export const providerProto: any = require("@pulumi/pulumi/proto/provider_pb");
export const providerRpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb");
export const engineProto: any = require("@pulumi/pulumi/proto/engine_pb");
export const engineRpc: any = require("@pulumi/pulumi/proto/engine_grpc_pb");
export const structProto: any = sdkRequire("google-protobuf/google/protobuf/struct_pb");
export const emptyProto: any = sdkRequire("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-explicit-any */
