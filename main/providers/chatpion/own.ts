// What this connector sent, to recognise it when ChatPion lists it again: ChatPion's messages carry no
// field saying who wrote them. Replies are matched by the store (by the id their send answered, or by
// conversation and text); native broadcasts have no reply row there, so they are matched here by text.
import type { RemoteMessage } from '../../domain/remote';

const DAY_MS = 86_400_000;
/** Broadcasts remembered at once: they ride in the poll cursor, so it stays small. */
const MAX_BROADCASTS = 20;
const MAX_SENT_IDS = 1000;

/** A native broadcast this app created: its text shows up in recipients' messages from `fromMs` to `untilMs`. */
export interface OwnBroadcast {
  text: string;
  fromMs: number;
  untilMs: number;
}

const isOwnBroadcast = (v: unknown): v is OwnBroadcast =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OwnBroadcast).text === 'string' &&
  Number.isFinite((v as OwnBroadcast).fromMs) &&
  Number.isFinite((v as OwnBroadcast).untilMs);

export class OwnMessages {
  private broadcasts: OwnBroadcast[] = [];
  private readonly sentIds = new Set<string>();
  /** A reply's id came back (in a list or a webhook): ChatPion shows replies under the ids their sends answered. */
  sentCameBack = false;
  /** A message this app did not send was read: the list holds others' messages (customers', presumably). */
  othersSeen = false;

  constructor(private readonly now: () => number = Date.now) {}

  noteSent(externalId: string): void {
    if (this.sentIds.size >= MAX_SENT_IDS) this.sentIds.delete(this.sentIds.values().next().value!);
    this.sentIds.add(externalId);
  }

  /**
   * A broadcast asked for at `startedMs` (going out then, or at `scheduledMs`). Its messages may carry the
   * second it started in (the doc's times have whole seconds) and may show up for a day after it goes out.
   */
  noteBroadcast(text: string, startedMs: number, scheduledMs?: number): void {
    const fromMs = Math.floor(startedMs / 1000) * 1000;
    this.remember([{ text, fromMs, untilMs: Math.max(startedMs, scheduledMs ?? 0) + DAY_MS }]);
  }

  /** The broadcasts still worth recognising, for the poll cursor (so they outlive a restart). */
  get remembered(): OwnBroadcast[] {
    return this.broadcasts;
  }

  /** Takes back broadcasts a stored cursor remembered; ignores anything malformed or expired. */
  remember(list: unknown): void {
    if (!Array.isArray(list)) return;
    const now = this.now();
    const merged = [...this.broadcasts, ...list.filter(isOwnBroadcast)].filter((b) => b.untilMs > now);
    const unique = new Map(merged.map((b) => [`${b.fromMs} ${b.text}`, b]));
    this.broadcasts = [...unique.values()].slice(-MAX_BROADCASTS);
  }

  /** Marks this app's native broadcasts as outbound, and notes what the list showed. */
  classify(messages: RemoteMessage[]): RemoteMessage[] {
    return messages.map((m) => {
      if (this.sentIds.has(m.externalId)) {
        this.sentCameBack = true;
        return m;
      }
      if (this.isOwnBroadcast(m)) {
        const { directionInferred: _inferred, ...sent } = m;
        return { ...sent, direction: 'out' };
      }
      this.othersSeen = true;
      return m;
    });
  }

  private isOwnBroadcast(m: RemoteMessage): boolean {
    const at = Date.parse(m.createdAt);
    return this.broadcasts.some((b) => b.text === m.text && at >= b.fromMs && at <= b.untilMs);
  }
}
