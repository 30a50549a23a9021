// Webhook deliveries taken lately, by the name their connector gave them: a replay is refused, across restarts too.
import type { Sqlite } from './database';

export class WebhookDeliveriesRepo {
  private readonly s;
  constructor(db: Sqlite) {
    this.s = {
      seen: db.prepare<[string, string, string], { found: number }>(
        `SELECT 1 AS found FROM webhook_deliveries
         WHERE channel_id = ? AND delivery_id = ? AND received_at > ?`,
      ),
      remember: db.prepare(
        `INSERT INTO webhook_deliveries (channel_id, delivery_id, received_at) VALUES (?, ?, ?)
         ON CONFLICT (channel_id, delivery_id) DO UPDATE SET received_at = excluded.received_at`,
      ),
      forget: db.prepare('DELETE FROM webhook_deliveries WHERE received_at <= ?'),
    };
  }

  /** Whether this delivery was taken after `sinceIso`. */
  seen(channelId: string, deliveryId: string, sinceIso: string): boolean {
    return this.s.seen.get(channelId, deliveryId, sinceIso) !== undefined;
  }

  /** Records a delivery taken at `atIso` and forgets those taken at `forgetUpToIso` or before. */
  remember(channelId: string, deliveryId: string, atIso: string, forgetUpToIso: string): void {
    this.s.forget.run(forgetUpToIso);
    this.s.remember.run(channelId, deliveryId, atIso);
  }
}
