// Webhooks received by the local server: the channel's connector verifies a delivery (signature, freshness)
// and decodes it; this layer refuses replays, logs every refusal with its reason, and applies the rest.
import type { ChannelService } from '../channels/service';
import type { WebhookResult } from '../providers/types';
import type { WebhookHandler } from './server';

/** Longer than any connector's freshness window (Chatbots Platform: 5 minutes either way). */
const KEEP_MS = 15 * 60_000;
/** Only verified deliveries are remembered, so this bounds memory without letting anyone flush the list. */
const MAX_KEPT = 50_000;

/** Deliveries taken recently, by the name their connector gave them (Chatbots Platform: their signature). */
export class ReplayGuard {
  /** Delivery name → when it was taken, oldest first. */
  private readonly taken = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  seen(name: string): boolean {
    this.forgetOld();
    return this.taken.has(name);
  }

  remember(name: string): void {
    this.taken.set(name, this.now());
  }

  private forgetOld(): void {
    const horizon = this.now() - KEEP_MS;
    for (const [name, at] of this.taken) {
      if (at > horizon && this.taken.size < MAX_KEPT) return;
      this.taken.delete(name);
    }
  }
}

export function webhookReceiver(channels: ChannelService, log: (line: string) => void): WebhookHandler {
  const replays = new ReplayGuard();
  return (channelId, req) => {
    const hook = channels.webhook(channelId);
    if (!hook)
      return {
        status: 404,
        json: { error: { code: 'not_found', message: 'No channel receives webhooks here' } },
      };
    const reject = (reason: string) => {
      log(`[webhook ${channelId}] rejected: ${reason}`);
      return { status: 401, json: { error: { code: 'rejected', message: 'Webhook rejected' } } };
    };
    let r: WebhookResult;
    try {
      r = hook.handle(req);
    } catch (e) {
      return reject((e as Error).message);
    }
    if (r.reply !== undefined) return { status: 200, text: r.reply };
    const delivery = r.deliveryId === undefined ? null : `${channelId} ${r.deliveryId}`;
    if (delivery && replays.seen(delivery)) return reject('replay of a delivery already received');
    // Remembered once applied: a delivery that failed here (answered 5xx) may come again.
    hook.sync.applyEvents(r.events);
    if (delivery) replays.remember(delivery);
    return { status: 200, json: { ok: true } };
  };
}
