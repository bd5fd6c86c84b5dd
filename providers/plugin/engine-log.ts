// Messages for the person running Pulumi, attached to one resource (its URN), through the
// engine's Log service: preview and up show them under that resource, once.
import type { Note } from "./resource-kind";
import { engineProto as engproto, engineRpc as engrpc, grpc } from "./sdk-grpc";

export class EngineLog {
  private client: { log(request: unknown, callback: (error: Error | null) => void): void } | undefined;

  constructor(private engineAddress: string | undefined) {}

  /** The engine may attach later (Attach) with another address. */
  attach(address: string): void {
    this.engineAddress = address;
    this.client = undefined;
  }

  async write(urn: string, note: Note): Promise<void> {
    if (!this.engineAddress) {
      console.error(`chainsmith: ${note.message}`);
      return;
    }
    this.client ??= new engrpc.EngineClient(this.engineAddress, grpc.credentials.createInsecure());
    const request = new engproto.LogRequest();
    request.setSeverity(note.severity === "warning" ? engproto.LogSeverity.WARNING : engproto.LogSeverity.INFO);
    request.setMessage(note.message);
    request.setUrn(urn);
    await new Promise<void>((resolve) => this.client!.log(request, () => resolve()));
  }
}
