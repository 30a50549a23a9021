// The team's channels: any agent lists them (status, last sync, capabilities; never a credential), only admins
// add, change or remove them (hub/work/channelAdmin.ts does the work).
import type { FastifyPluginAsync } from 'fastify';
import { hubRoutes } from '../../../main/contract/hub';
import type { HubDatabase } from '../../db/database';
import type { ChannelWork } from '../../work/channelWork';
import { ChannelAdmin } from '../../work/channelAdmin';
import { hubRoute } from '../contract';

export function channelRoutes(o: { db: HubDatabase; work: ChannelWork }): FastifyPluginAsync {
  const admin = new ChannelAdmin(o.db, o.work);
  const who = (agent: { teamId: string; id: string }) => ({ teamId: agent.teamId, agentId: agent.id });
  return async (app) => {
    hubRoute(app, hubRoutes.listChannels, 'agent', async ({ req }) => ({
      items: await admin.list(req.agent.teamId),
    }));
    hubRoute(app, hubRoutes.createChannel, 'admin', ({ body, req }) => admin.create(who(req.agent), body));
    hubRoute(app, hubRoutes.patchChannel, 'admin', ({ params, body, req }) =>
      admin.patch(who(req.agent), params.id, body),
    );
    hubRoute(app, hubRoutes.deleteChannel, 'admin', async ({ params, req }) => {
      await admin.remove(who(req.agent), params.id);
      return null;
    });
  };
}
