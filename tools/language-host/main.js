#!/usr/bin/env node
// Minimal Pulumi Node.js language host (`pulumi-language-nodejs`).
//
// Why it exists: the Pulumi CLI builds here from Go modules, but the Go module of the real
// language host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is refused
// by the Go module proxy we can reach (403 for the v3.259.0 commit, its pseudo-versions and
// @latest). This file is the part of Pulumi we could not build: a LanguageRuntime gRPC server
// written with @grpc/grpc-js and the generated stubs shipped in @pulumi/pulumi/proto.
//
// What it does, like the real host:
//   - prints the port it listens on (127.0.0.1) on stdout, as every plugin does;
//   - Handshake remembers the engine address; Run spawns
//       node [nodeargs] <@pulumi/pulumi/cmd/run resolved from the program directory>
//         --monitor <addr> --engine <addr> [--organization o] --project p --root-directory d
//         --stack s --pwd <program dir> [--dry-run] --parallel n [--tracing url] <entry point> [args]
//     with PULUMI_CONFIG (keys rewritten to "<ns>:config:<name>"), PULUMI_CONFIG_SECRET_KEYS,
//     PULUMI_NODEJS_TYPESCRIPT=true unless the project sets `runtime.options.typescript: false`,
//     and PULUMI_NODEJS_TSCONFIG_PATH from `runtime.options.tsconfig`;
//   - exit code 32 of the program means "already reported": the run bails without more noise.
// What it does differently (on purpose, to stay small):
//   - GetRequiredPlugins/GetRequiredPackages return none: nothing is downloaded, every plugin must
//     already be beside the pulumi binary or on PATH (the dynamic-provider plugin is);
//   - no monitor proxy and no "--sync" pipes (only legacy synchronous invokes use them);
//   - InstallDependencies is a no-op (node_modules is installed by npm), GetProgramDependencies
//     returns none, RuntimeOptionsPrompts none, About reports node itself;
//   - RunPlugin and the code generators (GenerateProgram/Project/Package, Pack, Link) answer
//     UNIMPLEMENTED: no Node.js component providers or policy packs run through this host;
//   - nodeargs are split on whitespace (no shell quoting).
// It exits when the process that started it (the engine) goes away.
"use strict";

const path = require("path");
const { spawn } = require("child_process");
// The gRPC library of the installed @pulumi/pulumi: the SDK's own copy, as the SDK itself uses.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const languageProto = require("@pulumi/pulumi/proto/language_pb");
const languageGrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
const pluginProto = require("@pulumi/pulumi/proto/plugin_pb");
const sdkVersion = require("@pulumi/pulumi/package.json").version;

// Exit code of @pulumi/pulumi/cmd/run after it has shown the user an actionable message.
const EXIT_ALREADY_REPORTED = 32;

// Command line: Go-style flags (-tracing url, -v=9, --logtostderr, ...) then the engine address.
function parseArgs(argv) {
  const withValue = new Set(["tracing", "runtime", "root"]);
  const out = { engineAddress: "", tracing: "" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("-")) {
      const [name, value] = a.replace(/^--?/, "").split(/=(.*)/s);
      const v = value !== undefined ? value : withValue.has(name) ? argv[++i] : undefined;
      if (name === "tracing") out.tracing = v || "";
      if (name === "version") {
        console.log(sdkVersion);
        process.exit(0);
      }
    } else if (!out.engineAddress) {
      out.engineAddress = a;
    }
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
let engineAddress = args.engineAddress;
const running = new Set(); // child processes of Run, for Cancel

function unimplemented(name) {
  return (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by chainsmith's language host` });
}

// "<ns>:<name>" -> "<ns>:config:<name>" as the real host does; the SDK reads both forms.
function configJson(req) {
  const out = {};
  for (const [k, v] of req.getConfigMap().entries()) {
    const i = k.indexOf(":");
    const key = i < 0 || k.slice(i + 1).startsWith("config:") ? k : `${k.slice(0, i)}:config:${k.slice(i + 1)}`;
    out[key] = v;
  }
  return JSON.stringify(out);
}

function runtimeOptions(info) {
  const o = (info && info.getOptions() && info.getOptions().toJavaScript()) || {};
  if (o.typescript !== undefined && typeof o.typescript !== "boolean") throw new Error("typescript option must be a boolean");
  return {
    typescript: o.typescript === undefined ? true : o.typescript,
    tsconfig: typeof o.tsconfig === "string" ? o.tsconfig : "",
    nodeargs: typeof o.nodeargs === "string" ? o.nodeargs.split(/\s+/).filter(Boolean) : [],
  };
}

function run(call, callback) {
  const req = call.request;
  const reply = (error, bail) => {
    const res = new languageProto.RunResponse();
    res.setError(error || "");
    res.setBail(!!bail);
    callback(null, res);
  };
  let child;
  try {
    const info = req.getInfo();
    const programDir = (info && info.getProgramDirectory()) || req.getPwd() || process.cwd();
    const entryPoint = (info && info.getEntryPoint()) || req.getProgram() || ".";
    const opts = runtimeOptions(info);
    let runPath = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run";
    try {
      runPath = require.resolve(runPath, { paths: [programDir] });
    } catch {
      return reply("It looks like the Pulumi SDK has not been installed: @pulumi/pulumi/cmd/run does not resolve from " + programDir);
    }
    const argv = [...opts.nodeargs, runPath];
    const add = (k, v) => {
      if (v !== undefined && v !== null && `${v}` !== "") argv.push(`--${k}`, `${v}`);
    };
    add("monitor", req.getMonitorAddress());
    add("engine", engineAddress);
    add("organization", req.getOrganization());
    add("project", req.getProject());
    add("root-directory", info && info.getRootDirectory());
    add("stack", req.getStack());
    add("pwd", programDir);
    if (req.getDryrun()) argv.push("--dry-run");
    add("parallel", req.getParallel());
    add("tracing", args.tracing);
    argv.push(entryPoint, ...req.getArgsList());

    const env = { ...process.env, PULUMI_CONFIG: configJson(req), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()) };
    if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;

    child = spawn(process.execPath, argv, { env, stdio: ["ignore", "inherit", "inherit"] });
  } catch (err) {
    return reply(String((err && err.message) || err));
  }
  running.add(child);
  child.on("error", (err) => {
    running.delete(child);
    reply(`Problem executing program (could not run language executor): ${err.message}`);
  });
  child.on("exit", (code, signal) => {
    running.delete(child);
    if (code === 0) reply("");
    else if (code === EXIT_ALREADY_REPORTED) reply("", true);
    else if (signal) reply(`Program exited unexpectedly: signal ${signal}`);
    else reply(`Program exited with non-zero exit code: ${code}`);
  });
}

const empty = (Type) => (_call, callback) => callback(null, new Type());

const server = new grpc.Server({
  "grpc.max_receive_message_length": 400 * 1024 * 1024,
  "grpc.max_send_message_length": 400 * 1024 * 1024,
});
server.addService(languageGrpc.LanguageRuntimeService, {
  handshake(call, callback) {
    engineAddress = call.request.getEngineAddress() || engineAddress;
    callback(null, new languageProto.LanguageHandshakeResponse());
  },
  getPluginInfo(_call, callback) {
    callback(null, new pluginProto.PluginInfo().setVersion(sdkVersion));
  },
  getRequiredPlugins: empty(languageProto.GetRequiredPluginsResponse),
  getRequiredPackages: empty(languageProto.GetRequiredPackagesResponse),
  run,
  installDependencies(call) {
    call.write(new languageProto.InstallDependenciesResponse().setStdout(Buffer.from("chainsmith language host: dependencies are installed by npm\n")));
    call.end();
  },
  runtimeOptionsPrompts: empty(languageProto.RuntimeOptionsResponse),
  template: empty(languageProto.TemplateResponse),
  about(_call, callback) {
    const res = new languageProto.AboutResponse().setExecutable(process.execPath).setVersion(process.version);
    res.getMetadataMap().set("packagemanager", "npm");
    callback(null, res);
  },
  getProgramDependencies: empty(languageProto.GetProgramDependenciesResponse),
  runPlugin: (call) => {
    call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "RunPlugin is not implemented by chainsmith's language host" });
  },
  generateProgram: unimplemented("GenerateProgram"),
  generateProject: unimplemented("GenerateProject"),
  generatePackage: unimplemented("GeneratePackage"),
  pack: unimplemented("Pack"),
  link: unimplemented("Link"),
  cancel(_call, callback) {
    for (const c of running) c.kill("SIGINT");
    callback(null, new (require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] })).Empty)());
  },
});

server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`could not start language host RPC server: ${err.message}`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});

// Leave when the engine that started us is gone (the real host health-checks the engine).
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    for (const c of running) c.kill("SIGKILL");
    process.exit(0);
  }
}, 1000).unref();
