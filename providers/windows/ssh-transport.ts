/**
 * Runs the agent over SSH (OpenSSH for Windows) through providers/ssh's connection: host
 * key verified, `exec` only. The command line is fixed and short; the script and its JSON
 * input, PFX included, go on stdin (providers/windows/agent-invocation.ts).
 */
import { SshConnection, describeTarget, type LogLine, type SshTargetOptions } from "../ssh/connection";
import { SshError } from "../ssh/errors";
import { AgentTransport, agentStdin, parseAgentOutput, powershellCommand, secretsOf } from "./agent-invocation";
import { AgentRequest, AgentResponse } from "./contract";
import { redact } from "../redact";
import { WindowsTargetError } from "./errors";

/** iisreset and a cold chain build can take minutes; a hung agent must not hang `pulumi up`. */
const DEFAULT_COMMAND_TIMEOUT_MS = 600_000;

export class SshAgentTransport implements AgentTransport {
  private constructor(
    readonly where: string,
    private readonly connection: SshConnection,
    private readonly commandTimeoutMs: number,
  ) {}

  static async connect(options: SshTargetOptions & { commandTimeoutMs?: number }, log?: LogLine): Promise<SshAgentTransport> {
    const where = `ssh ${describeTarget(options)}`;
    try {
      return new SshAgentTransport(where, await SshConnection.open(options, log), options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    } catch (e) {
      throw transportError(e, where, "before anything was sent", []);
    }
  }

  async run(request: AgentRequest): Promise<AgentResponse> {
    const secrets = secretsOf(request);
    const when = request.verb === "apply" ? "during an apply: the host may hold some of the steps (each is idempotent, so running again finishes the job)" : `while asking '${request.verb}': nothing was changed`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.connection.end();
        reject(new WindowsTargetError("transport-timeout", `${this.where}: the agent gave no answer within ${this.commandTimeoutMs} ms ${when}. The connection was closed; check the host (a hung PowerShell, a dialog, a full disk).`));
      }, this.commandTimeoutMs);
    });
    let result;
    try {
      result = await Promise.race([this.connection.exec(powershellCommand(), agentStdin(request)), timeout]);
    } catch (e) {
      throw transportError(e, this.where, when, secrets);
    } finally {
      clearTimeout(timer);
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
