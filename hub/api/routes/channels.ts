// The team's channels: any agent lists them (status, last sync, capabilities; never a credential), only admins
// add, change or remove them (hub/work/channelAdmin.ts does the work).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ChannelCreate, ChannelPatch } from '../../../main/contract/schemas';
import { parse } from '../../../main/api/plugins/contract';
import type { HubDatabase } from '../../db/database';
import type { ChannelWork } from '../../work/channelWork';
import { ChannelAdmin } from '../../work/channelAdmin';

const ChannelParams = z.strictObject({ id: z.uuid() });

export function channelRoutes(o: { db: HubDatabase; work: ChannelWork }): FastifyPluginAsync {
  const admin = new ChannelAdmin(o.db, o.work);
  return async (app) => {
    const asAdmin = { config: { access: 'admin' as const } };
    const who = (agent: { teamId: string; id: string }) => ({ teamId: agent.teamId, agentId: agent.id });
    app.get('/hub/v1/channels', async (req) => ({ items: await admin.list(req.agent.teamId) }));
    app.post('/hub/v1/channels', asAdmin, async (req, reply) => {
      const body = parse(ChannelCreate, req.body, 'body') as ChannelCreate;
      reply.code(201);
      return admin.create(who(req.agent), body);
    });
    app.patch('/hub/v1/channels/:id', asAdmin, async (req) => {
      const { id } = parse(ChannelParams, req.params, 'path') as z.infer<typeof ChannelParams>;
      return admin.patch(who(req.agent), id, parse(ChannelPatch, req.body, 'body') as ChannelPatch);
    });
    app.delete('/hub/v1/channels/:id', asAdmin, async (req, reply) => {
      const { id } = parse(ChannelParams, req.params, 'path') as z.infer<typeof ChannelParams>;
      await admin.remove(who(req.agent), id);
      return reply.code(204).send();
    });
  };
}
