// The fewest round trips each phase of a deployment needs, by the protocols' own dependencies
// (a request that needs an answer's content waits for it; anything else can be pipelined),
// TCP handshakes left out (toxiproxy does not delay them; a real network adds one per connection).
import type { Phase } from "./phase-clock";

export const ROUND_TRIP_FLOOR: Record<Phase, { trips: number; why: string }> = {
  desired: { trips: 0, why: "no network" },
  connect: { trips: 3, why: "version + KEXINIT, ECDH, then SERVICE_REQUEST pipelined with a signed USERAUTH_REQUEST" },
  read: { trips: 5, why: "channel open, subsystem + SFTP INIT, LSTAT (a FIFO is never opened), OPEN, FSTAT + READ; the directory check (an exec) beside it" },
  write: { trips: 3, why: "OPEN, WRITE + FSETSTAT + FSYNC + FSTAT + LSTAT + CLOSE, RENAME (only after the data is safe)" },
  commands: { trips: 2, why: "channel open, exec (its output and exit status come back with it)" },
  verify: { trips: 1, why: "the 3 probes overlap, started 100 ms apart (TLS 1.3: 1 round trip each)" },
  markers: { trips: 0, why: "unchanged owner markers need no write" },
};
