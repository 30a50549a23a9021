// Which desktop notifications to show for new customer messages (and team alerts). Pure (no Node or Electron import), so
// the desktop shell and the renderer's web alerts share it: the clock, the settings, the window's focus
// state and the timer are injected, and every rule is tested without Electron. The caller feeds it
// `message.created` events (enriched with contact and channel names) and shows exactly what `show` receives.
import type { Message, Settings } from '../domain/entities';
import type { TeamAlert } from './teamEvents';

export interface Clock {
  now(): number;
}

export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: Timer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type NotifySettings = Pick<Settings, 'dndUntil' | 'quietHours' | 'mutedChannels' | 'sound'>;

/** What the agent is looking at right now. */
export interface ViewState {
  focused: boolean;
  openConversationId: string | null;
}

/** A `message.created` payload plus the names a notification needs. */
export interface IncomingMessage {
  message: Pick<Message, 'id' | 'conversationId' | 'direction' | 'text' | 'type' | 'meta'>;
  channelId: string;
  channelName: string;
  contactId: string;
  contactName: string;
}

export interface DesktopNotification {
  /** message: one conversation; summary: a burst collapsed; app: asked for by the renderer; team: a TeamAlert. */
  kind: 'message' | 'summary' | 'app' | 'team';
  /** What a click opens: this conversation, or the inbox when null. */
  conversationId: string | null;
  title: string;
  body: string;
  silent: boolean;
}

export type Verdict =
  | 'queued'
  | 'shown'
  | 'own-reply'
  | 'backfill'
  | 'do-not-disturb'
  | 'quiet-hours'
  | 'muted-channel'
  | 'conversation-open'
  | 'rate-limited';

export interface PolicyOptions {
  /** At most one notification per conversation within this window. */
  perConversationMs: number;
  /** Messages arriving within this window after the first are shown together. */
  batchWindowMs: number;
  /** More conversations than this in one batch collapse into a single summary. */
  maxIndividual: number;
  bodyMaxChars: number;
}

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = {
  perConversationMs: 5_000,
  batchWindowMs: 1_000,
  maxIndividual: 3,
  bodyMaxChars: 120,
};

export interface PolicyDeps {
  clock: Clock;
  settings: () => NotifySettings;
  view: () => ViewState;
  show: (n: DesktopNotification) => void;
  timer?: Timer;
  options?: Partial<PolicyOptions>;
}

export class NotificationPolicy {
  private readonly options: PolicyOptions;
  private readonly timer: Timer;
  private pending: IncomingMessage[] = [];
  private flushHandle: unknown = null;
  private readonly lastShownAt = new Map<string, number>();

  constructor(private readonly deps: PolicyDeps) {
    this.options = { ...DEFAULT_POLICY_OPTIONS, ...deps.options };
    this.timer = deps.timer ?? realTimer;
  }

  /** The rules that need only the message itself, so the shell can skip looking up names (e.g. during backfill). */
  screen(message: IncomingMessage['message']): Exclude<Verdict, 'queued' | 'muted-channel'> | null {
    if (message.direction !== 'in') return 'own-reply';
    if (message.meta?.backfill === true) return 'backfill';
    const quiet = this.quietReason();
    if (quiet) return quiet;
    const view = this.deps.view();
    if (view.focused && view.openConversationId === message.conversationId) return 'conversation-open';
    const last = this.lastShownAt.get(message.conversationId);
    if (last !== undefined && this.deps.clock.now() - last < this.options.perConversationMs)
      return 'rate-limited';
    return null;
  }

  /** Decide whether a new message may notify; accepted messages are shown at the end of the batch window. */
  offer(incoming: IncomingMessage): Verdict {
    const rejected = this.screen(incoming.message);
    if (rejected) return rejected;
    if (this.deps.settings().mutedChannels.includes(incoming.channelId)) return 'muted-channel';

    this.pending.push(incoming);
    if (this.flushHandle === null)
      this.flushHandle = this.timer.set(() => this.flush(), this.options.batchWindowMs);
    return 'queued';
  }

  /** Team mode: assigned to this agent, or @mentioned; shown at once unless quiet, muted or open before the agent. */
  offerTeam(alert: TeamAlert): Verdict {
    const quiet = this.quietReason();
    if (quiet) return quiet;
    if (this.deps.settings().mutedChannels.includes(alert.channelId)) return 'muted-channel';
    const view = this.deps.view();
    if (view.focused && view.openConversationId === alert.conversationId) return 'conversation-open';
    const preview = alert.text
      ? messagePreview({ text: alert.text, type: 'text' }, this.options.bodyMaxChars)
      : '';
    this.deps.show({
      kind: 'team',
      conversationId: alert.conversationId,
      title:
        alert.kind === 'assigned'
          ? `Assigned to you · ${alert.contactName}`
          : `${alert.by ?? 'Someone'} mentioned you · ${alert.contactName}`,
      body: preview || 'This conversation is yours now.',
      silent: !this.deps.settings().sound,
    });
    return 'shown';
  }

  /** A notification the renderer asks for; null while do-not-disturb or quiet hours are in force. */
  direct(request: { title: string; body: string; conversationId?: string }): DesktopNotification | null {
    if (this.quietReason()) return null;
    return {
      kind: 'app',
      conversationId: request.conversationId ?? null,
      title: request.title,
      body: messagePreview({ text: request.body, type: 'text' }, this.options.bodyMaxChars),
      silent: !this.deps.settings().sound,
    };
  }

  /** Do-not-disturb or quiet hours in force now. */
  quietReason(): 'do-not-disturb' | 'quiet-hours' | null {
    const settings = this.deps.settings();
    const now = this.deps.clock.now();
    if (isDndActive(settings.dndUntil, now)) return 'do-not-disturb';
    if (settings.quietHours && inQuietHours(settings.quietHours, now)) return 'quiet-hours';
    return null;
  }

  /** Show what the current batch amounts to. Called by the batch timer. */
  flush(): void {
    if (this.flushHandle !== null) this.timer.clear(this.flushHandle);
    this.flushHandle = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;

    const now = this.deps.clock.now();
    const silent = !this.deps.settings().sound;
    const latestPerConversation = new Map<string, { latest: IncomingMessage; count: number }>();
    for (const m of batch) {
      const entry = latestPerConversation.get(m.message.conversationId);
      latestPerConversation.set(m.message.conversationId, { latest: m, count: (entry?.count ?? 0) + 1 });
    }
    for (const id of latestPerConversation.keys()) this.lastShownAt.set(id, now);
    this.forgetOlderThan(now - this.options.perConversationMs);

    if (latestPerConversation.size > this.options.maxIndividual) {
      const customers = new Set(batch.map((m) => m.contactId)).size;
      this.deps.show({
        kind: 'summary',
        conversationId: null,
        title: 'Agent Inbox',
        body: `${plural(batch.length, 'new message')} from ${plural(customers, 'customer')}`,
        silent,
      });
      return;
    }
    for (const [conversationId, { latest, count }] of latestPerConversation) {
      const body = messagePreview(latest.message, this.options.bodyMaxChars);
      this.deps.show({
        kind: 'message',
        conversationId,
        title: `${latest.contactName} · ${latest.channelName}`,
        body: count > 1 ? `(${count} new) ${body}` : body,
        silent,
      });
    }
  }

  dispose(): void {
    if (this.flushHandle !== null) this.timer.clear(this.flushHandle);
    this.flushHandle = null;
    this.pending = [];
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, at] of this.lastShownAt) if (at < cutoff) this.lastShownAt.delete(id);
  }
}

export function isDndActive(dndUntil: string | null, now: number): boolean {
  if (!dndUntil) return false;
  const until = Date.parse(dndUntil);
  return Number.isFinite(until) && now < until;
}

/** Quiet hours in local time; `from` later than `to` spans midnight; equal bounds mean no quiet hours. */
export function inQuietHours(hours: { from: string; to: string }, now: number): boolean {
  const from = minutesOfDay(hours.from);
  const to = minutesOfDay(hours.to);
  if (from === null || to === null || from === to) return false;
  const date = new Date(now);
  const current = date.getHours() * 60 + date.getMinutes();
  return from < to ? current >= from && current < to : current >= from || current < to;
}

function minutesOfDay(hhmm: string): number | null {
  const match = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

const MEDIA_LABELS: Record<Message['type'], string> = {
  text: 'Sent a message',
  image: 'Sent a photo',
  video: 'Sent a video',
  audio: 'Sent a voice message',
  file: 'Sent a file',
  other: 'Sent a message',
};

/** The message text on one line, cut at a word boundary to at most `maxChars` characters. */
export function messagePreview(message: Pick<Message, 'text' | 'type'>, maxChars: number): string {
  const text = message.text.replace(/\s+/g, ' ').trim();
  if (!text) return MEDIA_LABELS[message.type];
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const cut = chars.slice(0, maxChars - 1).join('');
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > maxChars / 2 ? cut.slice(0, lastSpace) : cut}…`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The renderer's route for one conversation (the shell navigates there when a notification is clicked). */
export function conversationHash(conversationId: string | null): string {
  return conversationId === null ? '#/inbox' : `#/inbox/${encodeURIComponent(conversationId)}`;
}

/** Which conversation a renderer URL shows, if any. */
export function conversationIdFromUrl(url: string): string | null {
  const hash = url.includes('#') ? url.slice(url.indexOf('#')) : '';
  const match = /^#\/inbox\/([^/?#]+)/.exec(hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
