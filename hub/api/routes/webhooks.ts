// Provider webhooks, on every instance (public: the channel's connector checks the provider's own signature or
// secret). The body is kept as it came, for the signature.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookRequest } from '../../../main/api/webhooks';
import type { ChannelWork } from '../../work/channelWork';

export function webhookRoutes(o: { work: ChannelWork }): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const webhook = async (req: FastifyRequest, reply: FastifyReply) => {
      const res = await o.work.receiveWebhook((req.params as { channelId: string }).channelId, {
        method: req.method as WebhookRequest['method'],
        headers: req.headers,
        query: req.query as WebhookRequest['query'],
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      reply.code(res.status);
      return res.text !== undefined
        ? reply.type('text/plain').send(res.text)
        : reply.send(res.json ?? { ok: true });
    };
    const open = { config: { access: 'public' as const } };
    app.get('/hub/v1/webhooks/:channelId', open, webhook);
    app.post('/hub/v1/webhooks/:channelId', open, webhook);
  };
}
