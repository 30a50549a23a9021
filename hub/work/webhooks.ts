// Webhooks on any instance: the channel's connector verifies a delivery as its provider documents (signature,
// freshness, verify token) and decodes it; replays are refused across instances (webhook_deliveries); the events
// are stored at once, by the channel's running sync when this instance runs it, else through the same sync code
// on a verifying connector that is never started. What needs a poll is told to the instance that runs the channel.
import type { WebhookAnswer, WebhookRequest } from '../../main/api/webhooks';
import type { RealtimeEvent } from '../../main/providers/types';
import type { ProviderConnector } from '../../main/providers/types';
import { ChannelSync } from '../../main/sync/channelSync';
import type { HubDatabase } from '../db/database';
import { channelById, forgetDelivery, takeDelivery, type ChannelRow } from '../db/channels';
import type { ChannelWork } from './channelWork';

/** Longer than any connector's freshness window (Chatbots Platform: 5 minutes either way). */
const KEEP_MS = 15 * 60_000;

const notFound: WebhookAnswer = {
  status: 404,
  json: { error: { code: 'not_found', message: 'No channel receives webhooks here' } },
};

/** Events the stored data alone cannot complete: the instance running the channel polls. */
const needsPoll = (events: RealtimeEvent[]) =>
  events.some((e) => e.kind === 'resync' || (e.kind === 'message' && !e.conversation));

export class WebhookReceiver {
  /** Channel → a sync that only stores (never started) on a connector that only verifies, as of `row`. */
  private readonly verifiers = new Map<string, { row: ChannelRow; sync: ChannelSync }>();

  constructor(
    private readonly db: HubDatabase,
    private readonly work: ChannelWork,
    private readonly notifyPoll: (channelId: string) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  async receive(channelId: string, req: WebhookRequest): Promise<WebhookAnswer> {
    const row = /^[0-9a-f-]{36}$/i.test(channelId) ? await channelById(this.db, channelId) : null;
    if (!row || row.paused) return notFound;
    const running = this.work.syncOf(channelId);
    const sync = running ?? this.verifier(row);
    const connector: ProviderConnector | null = sync?.connector ?? null;
    if (!sync || !connector?.handleWebhook) return notFound;
    const reject = (reason: string) => {
      this.log(`[webhook ${channelId}] rejected: ${reason}`);
      return { status: 401, json: { error: { code: 'rejected', message: 'Webhook rejected' } } };
    };
    let r;
    try {
      r = connector.handleWebhook(req);
    } catch (e) {
      return reject((e as Error).message);
    }
    if (r.reply !== undefined) return { status: 200, text: r.reply };
    const delivery = r.deliveryId;
    if (
      delivery !== undefined &&
      !(await takeDelivery(this.db, channelId, delivery, new Date(Date.now() - KEEP_MS).toISOString()))
    )
      return reject('replay of a delivery already received');
    try {
      await sync.applyEvents(r.events);
    } catch (e) {
      // Not stored: the provider may deliver it again (answered 5xx).
      if (delivery !== undefined) await forgetDelivery(this.db, channelId, delivery);
      throw e;
    }
    if (!running && needsPoll(r.events)) await this.notifyPoll(channelId);
    return { status: 200, json: { ok: true } };
  }

  async close(): Promise<void> {
    const all = [...this.verifiers.values()];
    this.verifiers.clear();
    await Promise.all(all.map((v) => v.sync.connector.close().catch(() => undefined)));
  }

  private verifier(row: ChannelRow): ChannelSync | null {
    const known = this.verifiers.get(row.id);
    if (known && known.row.credentials.equals(row.credentials) && known.row.base_url === row.base_url)
      return known.sync;
    if (known) void known.sync.connector.close().catch(() => undefined);
    this.verifiers.delete(row.id);
    const connector = this.work.connectorOf(row);
    if (!connector) return null;
    const sync = new ChannelSync({
      storage: this.work.storage,
      events: this.work.events,
      channelId: row.id,
      connector,
      log: (line) => this.log(`[webhook ${row.id}] ${line}`),
    });
    this.verifiers.set(row.id, { row, sync });
    return sync;
  }
}
