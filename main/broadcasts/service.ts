// Broadcasts: ChatPion sends them natively; everywhere else the app fans out one reply per recipient
// through the outbox, so broadcasts made offline queue and go out exactly once like any reply. A scheduled
// broadcast goes to a native provider at once with its schedule (the provider sends it then, whether this app
// runs or not); its fan-out part the app sends itself when the time comes. The audience is frozen when the
// broadcast is made: one recipient row per conversation matched then, nobody added later. A text with variables
// ({{first_name|there}}, see template.ts) fans out everywhere, ChatPion included, as no provider documents filling
// them in; each copy is rendered for its recipient when it goes into the outbox.
import crypto from 'node:crypto';
import type { Store } from '../db';
import type { OutboxRow } from '../domain/storage';
import type { PendingRecipient } from '../db/broadcasts';
import type { BroadcastCreate, BroadcastPreview, BroadcastRecipientQuery } from '../contract/schemas';
import type { Audience, Broadcast, BroadcastRecipient, PageOf } from '../domain/entities';
import type { CoreEvents } from '../events';
import type { ChannelService } from '../channels/service';
import { DomainError } from '../domain/errors';
import { isPersonal, parseTemplate, renderTemplate, type Template } from './template';

const SCHEDULE_CHECK_MS = 5_000;
/** How many recipients the preview renders the text for. */
const PREVIEW_SAMPLES = 10;

const templateContact = (r: PendingRecipient) => ({
  name: r.contact_name,
  handle: r.handle,
  externalId: r.contact_external_id,
});

export class BroadcastService {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly events: CoreEvents,
    private readonly channels: ChannelService,
    private readonly kickOutbox: () => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.startDue(), SCHEDULE_CHECK_MS);
    this.timer.unref();
    this.startDue();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A personalised text fans out everywhere: no provider's native broadcast documents filling in variables. */
  private modeOf(channelId: string, template: Template): 'native' | 'fanout' {
    if (isPersonal(template)) return 'fanout';
    return this.channels.view(this.channels.get(channelId)).capabilities.broadcast;
  }

  preview(audience: Audience, text?: string): BroadcastPreview {
    const matches = this.store.broadcasts.matchAudience(audience);
    let template: Template = [];
    let textError: string | undefined;
    try {
      if (text !== undefined) template = parseTemplate(text);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      textError = e.message;
    }
    const perChannel = new Map<string, number>();
    for (const m of matches) perChannel.set(m.channelId, (perChannel.get(m.channelId) ?? 0) + 1);
    let eta = 0;
    const rows = [...perChannel].map(([channelId, recipients]) => {
      const row = this.channels.get(channelId);
      const mode = this.modeOf(channelId, template);
      // Fan-out pays one request per recipient at the provider's documented rate; channels run in parallel.
      const perSecond = Math.min(this.channels.connectorFor(channelId)?.http.limiter.ratePerSecond ?? 1, 50);
      eta = Math.max(eta, mode === 'native' ? 1 : recipients / perSecond);
      return { channelId, provider: row.provider, recipients, mode };
    });
    const samples =
      text === undefined || textError
        ? []
        : this.store.broadcasts.audienceMembers(audience, PREVIEW_SAMPLES).map((m) => ({
            contactName: m.contactName,
            conversationId: String(m.conversationId),
            text: renderTemplate(template, {
              name: m.contactName,
              handle: m.handle,
              externalId: m.externalId,
            }),
          }));
    return {
      total: matches.length,
      perChannel: rows,
      etaSeconds: Math.ceil(eta),
      samples,
      ...(textError ? { textError } : {}),
    };
  }

  create(b: BroadcastCreate): Broadcast {
    const template = parseTemplate(b.text);
    for (const id of b.audience.channelIds ?? []) this.channels.get(id);
    const scheduleAt = b.scheduleAt ? new Date(b.scheduleAt).toISOString() : null;
    // Matched and stored in one transaction: the recipients are the audience as it stands now, and only if it is
    // the one the agent confirmed.
    const created = this.store.transaction(() => {
      const matches = this.store.broadcasts.matchAudience(b.audience);
      if (!matches.length)
        throw DomainError.unprocessable(
          'empty_audience',
          'No conversation matches this audience; widen the channels, tags or platforms',
        );
      if (b.expectedRecipients !== undefined && b.expectedRecipients !== matches.length)
        throw DomainError.conflict(
          'audience_changed',
          `The audience changed since it was counted: it has ${matches.length} recipients now, not ` +
            `${b.expectedRecipients}. Nothing was sent; check the new count and confirm again.`,
        );
      return this.store.broadcasts.create(
        { name: b.name, text: b.text, audience: b.audience, scheduleAt, timezone: b.timezone ?? null },
        matches.map((m) => ({ ...m, mode: this.modeOf(m.channelId, template) })),
      );
    });
    if (!scheduleAt || Date.parse(scheduleAt) <= Date.now()) this.launch(Number(created.id));
    else this.launch(Number(created.id), { scheduleAt, timezone: b.timezone });
    return this.get(created.id);
  }

  get(id: string): Broadcast {
    const b = this.store.broadcasts.get(Number(id));
    if (!b) throw DomainError.notFound('broadcast', id);
    return b;
  }

  list(): Broadcast[] {
    return this.store.broadcasts.list();
  }

  recipients(id: string, q: BroadcastRecipientQuery): PageOf<BroadcastRecipient> {
    this.get(id);
    const page = this.store.broadcasts.recipients(Number(id), q);
    if (!page)
      throw DomainError.invalid(
        'bad_cursor',
        'The cursor is not one this list gave out; start again without it.',
      );
    return page;
  }

  cancel(id: string): Broadcast {
    const b = this.get(id);
    if (['completed', 'cancelled', 'failed'].includes(b.status))
      throw DomainError.conflict('not_cancellable', `The broadcast is already ${b.status}`);
    this.store.transaction(() => {
      for (const outboxId of this.store.broadcasts.cancelPending(Number(id)))
        this.store.outbox.cancel(outboxId);
      this.store.broadcasts.setStatus(Number(id), 'cancelled');
    });
    return this.emit(Number(id));
  }

  /** An outbox item of a broadcast finished. */
  settled(row: OutboxRow, ok: boolean, error: string | null): void {
    const r = this.store.broadcasts.recipientsDone(row.id, ok ? 'sent' : 'failed', error);
    if (!r) return;
    const b = this.store.broadcasts.get(r.broadcastId)!;
    // Handed to the provider ahead of its schedule, and nothing failed: it stays scheduled until its time.
    if (r.finished && !(b.status === 'scheduled' && b.failed === 0)) this.finish(r.broadcastId);
    this.emit(r.broadcastId);
  }

  /** Every recipient is done: completed, or failed when none could be reached. */
  private finish(id: number): void {
    const b = this.store.broadcasts.get(id)!;
    if (b.status === 'cancelled') return;
    this.store.broadcasts.setStatus(
      id,
      b.sent === 0 && b.failed > 0 ? 'failed' : 'completed',
      b.failed ? `${b.failed} recipients failed` : null,
    );
  }

  private startDue(): void {
    for (const id of this.store.broadcasts.dueScheduled()) this.launch(id);
  }

  /**
   * Turn pending recipients into outbox items: one per native channel, one per fan-out conversation. With a
   * `schedule` still ahead, only the native ones, which carry it to their provider.
   */
  private launch(id: number, schedule?: { scheduleAt: string; timezone?: string }): void {
    const b = this.store.broadcasts.get(id)!;
    const template = this.storedTemplate(b);
    if (!template) return;
    this.store.transaction(() => {
      const pending = this.store.broadcasts
        .pendingRecipients(id)
        .filter((r) => !schedule || r.mode === 'native');
      const native = new Map<string, number[]>();
      for (const r of pending) {
        if (r.mode === 'native') {
          native.set(r.channel_id, [...(native.get(r.channel_id) ?? []), r.id]);
          continue;
        }
        const text = renderTemplate(template, templateContact(r));
        const message = this.store.messages.insertLocalReply(r.conversation_id, r.channel_id, text, {
          broadcastId: String(id),
          broadcastName: b.name,
        });
        const item = this.store.outbox.insert({
          kind: 'broadcast',
          channelId: r.channel_id,
          conversationId: r.conversation_id,
          messageId: Number(message.id),
          payload: { text },
          key: crypto.randomUUID(),
        });
        this.store.broadcasts.linkOutbox([r.id], item.id);
      }
      for (const [channelId, recipientIds] of native) {
        const item = this.store.outbox.insert({
          kind: 'broadcast',
          channelId,
          conversationId: null,
          messageId: null,
          payload: {
            native: true,
            name: b.name,
            text: b.text,
            tags: b.audience.tags,
            platforms: b.audience.platforms,
            broadcastId: id,
            ...schedule,
          },
          key: crypto.randomUUID(),
        });
        this.store.broadcasts.linkOutbox(recipientIds, item.id);
      }
      // At its time, a scheduled broadcast whose recipients were all handed over natively may be done already.
      if (!schedule) {
        if (pending.length || b.total > b.sent + b.failed) this.store.broadcasts.setStatus(id, 'sending');
        else this.finish(id);
      }
    });
    this.emit(id);
    this.kickOutbox();
  }

  /**
   * The template of a broadcast made before its text was checked (scheduled by an older version); one that does
   * not parse fails with the reason instead of reaching customers as written.
   */
  private storedTemplate(b: Broadcast): Template | null {
    try {
      return parseTemplate(b.text);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      this.store.transaction(() => {
        this.store.broadcasts.cancelPending(Number(b.id));
        this.store.broadcasts.setStatus(Number(b.id), 'failed', e.message);
      });
      this.emit(Number(b.id));
      return null;
    }
  }

  private emit(id: number): Broadcast {
    const b = this.store.broadcasts.get(id)!;
    this.events.emit('broadcast.progress', b);
    return b;
  }
}
