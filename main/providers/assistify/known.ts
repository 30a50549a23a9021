// What the Assistify connector knows of the account between requests: the conversations seen so far with
// their latest activity, which ones a socket frame said changed, and when each history was last read. All in
// memory: after a restart the engine's store still has everything, and the cost is a few more reads.
import type { RemoteConversation, RemoteMessage } from '../../domain/remote';

interface Entry {
  conv: RemoteConversation;
  /** When this process last read its history, local ms; 0: not yet. */
  readAt: number;
}

export class KnownConversations {
  private readonly entries = new Map<string, Entry>();
  private readonly hinted = new Set<string>();

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): RemoteConversation | undefined {
    return this.entries.get(id)?.conv;
  }

  /** Store what the server says of a conversation; true when it is new here or its status changed. */
  remember(conv: RemoteConversation): boolean {
    const old = this.entries.get(conv.externalId);
    const lastActivityAt =
      old && old.conv.lastActivityAt > conv.lastActivityAt ? old.conv.lastActivityAt : conv.lastActivityAt;
    this.entries.set(conv.externalId, { conv: { ...conv, lastActivityAt }, readAt: old?.readAt ?? 0 });
    return !old || old.conv.status !== conv.status;
  }

  /** A message moves its conversation's last activity forward; answers the conversation when it is known. */
  bump(m: RemoteMessage): RemoteConversation | undefined {
    const conv = this.entries.get(m.conversationExternalId)?.conv;
    if (conv && m.createdAt > conv.lastActivityAt) conv.lastActivityAt = m.createdAt;
    return conv;
  }

  /** Ids of the `n` most recently active conversations. */
  mostActive(n: number): string[] {
    return [...this.entries.values()]
      .map((e) => e.conv)
      .sort((a, b) => (a.lastActivityAt < b.lastActivityAt ? 1 : -1))
      .slice(0, n)
      .map((conv) => conv.externalId);
  }

  /** Something happened in this conversation that no frame described: read its history again. */
  hint(id: string): void {
    this.hinted.add(id);
  }

  hintedIds(): string[] {
    return [...this.hinted];
  }

  clearHints(): void {
    this.hinted.clear();
  }

  /** Whether this process has read its history. */
  wasRead(id: string): boolean {
    return Boolean(this.entries.get(id)?.readAt);
  }

  /** Its history was just read. */
  markRead(id: string, now = Date.now()): void {
    this.hinted.delete(id);
    const e = this.entries.get(id);
    if (e) e.readAt = now;
  }

  /** The open conversation whose history was read longest ago, if that is more than `minAgeMs` ago. */
  stalest(minAgeMs: number, now = Date.now()): string | undefined {
    let best: Entry | undefined;
    for (const e of this.entries.values())
      if (e.conv.status !== 'resolved' && e.readAt <= now - minAgeMs && (!best || e.readAt < best.readAt))
        best = e;
    return best?.conv.externalId;
  }
}
