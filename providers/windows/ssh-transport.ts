/**
 * Runs the agent over SSH (OpenSSH for Windows) through providers/ssh's connection: host
 * key verified, `exec` only. The command line is fixed and short; the script and its JSON
 * input, PFX included, go on stdin (providers/windows/agent-invocation.ts).
 */
import { SshConnection, describeTarget, type LogLine, type SshTargetOptions } from "../ssh/connection";
import { SshError } from "../ssh/errors";
import { AgentTransport, agentStdin, parseAgentOutput, powershellCommand, secretsOf } from "./agent-invocation";
import { AgentRequest, AgentResponse } from "./contract";
import { redact } from "../linux/redact";
import { WindowsTargetError } from "./errors";

export class SshAgentTransport implements AgentTransport {
  private constructor(
    readonly where: string,
    private readonly connection: SshConnection,
  ) {}

  static async connect(options: SshTargetOptions, log?: LogLine): Promise<SshAgentTransport> {
    const where = `ssh ${describeTarget(options)}`;
    try {
      return new SshAgentTransport(where, await SshConnection.open(options, log));
    } catch (e) {
      throw transportError(e, where, "before anything was sent", []);
    }
  }

  async run(request: AgentRequest): Promise<AgentResponse> {
    const secrets = secretsOf(request);
    let result;
    try {
      result = await this.connection.exec(powershellCommand(), agentStdin(request));
    } catch (e) {
      const when = request.verb === "apply" ? "during an apply: the host may hold some of the steps (each is idempotent, so running again finishes the job)" : `while asking '${request.verb}': nothing was changed`;
      throw transportError(e, this.where, when, secrets);
    }
    return parseAgentOutput(result.stdout.toString("utf8"), result.stderr, this.where, secrets);
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}

function transportError(e: unknown, where: string, when: string, secrets: readonly string[]): Error {
  if (!(e instanceof SshError)) return e as Error;
  return new WindowsTargetError(`transport-${e.code}`, `${where}: the SSH transport failed ${when}. ${redact(e.message, secrets)}`);
}
