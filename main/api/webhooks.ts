// Webhooks received by the local server: the channel's connector verifies a delivery (signature, freshness)
// and decodes it; this layer refuses replays, logs every refusal with its reason, and applies the rest. The
// two routes are public (the token is the app's, not the provider's): the connector checks its own secret.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ChannelService } from '../channels/service';
import type { WebhookDeliveriesRepo } from '../db/webhookDeliveries';
import type { WebhookResult } from '../providers/types';

export interface WebhookRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface WebhookAnswer {
  status: number;
  text?: string;
  json?: unknown;
}

export type WebhookHandler = (
  channelId: string,
  req: WebhookRequest,
) => Promise<WebhookAnswer> | WebhookAnswer;

export const webhookRoutes: FastifyPluginAsync<{ onWebhook: WebhookHandler }> = async (app, o) => {
  const webhook = async (req: FastifyRequest, reply: FastifyReply) => {
    const res = await o.onWebhook((req.params as { channelId: string }).channelId, {
      method: req.method as WebhookRequest['method'],
      headers: req.headers,
      query: req.query as WebhookRequest['query'],
      rawBody: req.rawBody ?? Buffer.alloc(0),
    });
    reply.code(res.status);
    return res.text !== undefined
      ? reply.type('text/plain').send(res.text)
      : reply.send(res.json ?? { ok: true });
  };
  const open = { config: { public: true } };
  app.get('/api/v1/webhooks/:channelId', open, webhook);
  app.post('/api/v1/webhooks/:channelId', open, webhook);
};

/** Longer than any connector's freshness window (Chatbots Platform: 5 minutes either way). */
const KEEP_MS = 15 * 60_000;

const isoAt = (ms: number) => new Date(ms).toISOString();

/**
 * `taken` remembers deliveries by the name their connector gave them (Chatbots Platform: their signature), in
 * the database, so a replay is refused after a restart too. Only verified deliveries are remembered.
 */
export function webhookReceiver(
  channels: ChannelService,
  taken: WebhookDeliveriesRepo,
  log: (line: string) => void,
): WebhookHandler {
  return async (channelId, req) => {
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
    const delivery = r.deliveryId;
    const now = Date.now();
    const horizon = isoAt(now - KEEP_MS);
    if (delivery !== undefined && taken.seen(channelId, delivery, horizon))
      return reject('replay of a delivery already received');
    // Remembered once applied: a delivery that failed here (answered 5xx) may come again.
    await hook.sync.applyEvents(r.events);
    if (delivery !== undefined) taken.remember(channelId, delivery, isoAt(now), horizon);
    return { status: 200, json: { ok: true } };
  };
}
