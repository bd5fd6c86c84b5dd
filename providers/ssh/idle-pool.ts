// Connections kept open for a while after their user is done, for the next user of the same
// login: the provider plugin reads a host in Diff and writes it in Update moments later, and
// one login instead of two saves its round trips and the host's sshd start. Nothing is kept
// unless a keep time is set (the plugin sets one).

export interface Poolable {
  /** Still usable: not closed by the other side. */
  readonly usable: boolean;
  /** Really ends it. */
  end(): void;
}

export class IdlePool<T extends Poolable> {
  private readonly idle = new Map<string, { item: T; timer: NodeJS.Timeout }[]>();
  private keepMs = 0;

  /** From now on, keep what is put back for `ms` (0: end it at once, and end everything kept). */
  keepFor(ms: number): void {
    this.keepMs = ms;
    if (ms === 0) for (const key of [...this.idle.keys()]) this.idle.get(key)!.splice(0).forEach((kept) => this.drop(kept));
  }

  /** A kept item for `key` that is still usable, taken out of the pool; undefined when none. */
  take(key: string): T | undefined {
    const kept = this.idle.get(key) ?? [];
    while (kept.length > 0) {
      const entry = kept.pop()!;
      clearTimeout(entry.timer);
      if (entry.item.usable) return entry.item;
      entry.item.end();
    }
    return undefined;
  }

  /** Keeps `item` for the next `take(key)`, or ends it when nothing is kept or it is not usable. */
  put(key: string, item: T): void {
    if (this.keepMs === 0 || !item.usable) return item.end();
    const kept = this.idle.get(key) ?? [];
    this.idle.set(key, kept);
    const entry = { item, timer: setTimeout(() => kept.includes(entry) && (kept.splice(kept.indexOf(entry), 1), item.end()), this.keepMs) };
    entry.timer.unref();
    kept.push(entry);
  }

  private drop(entry: { item: T; timer: NodeJS.Timeout }): void {
    clearTimeout(entry.timer);
    entry.item.end();
  }
}
