// Team mode: signing in to a hub and out, the team's agents and internal notes (the work is the TeamService's).
import { conversationById } from './conversations';
import { soloMode, type HandlerDeps, type RouteHandlers } from './deps';

type TeamRoutes =
  | 'getTeam'
  | 'connectTeam'
  | 'disconnectTeam'
  | 'listAgents'
  | 'createNote'
  | 'listTeamAgents'
  | 'inviteAgent'
  | 'patchTeamAgent';

export const teamRoutes = (d: HandlerDeps): RouteHandlers<TeamRoutes> => ({
  getTeam: () => d.team.state(),
  connectTeam: ({ body }) => d.team.connect(body),
  disconnectTeam: async ({ query }) => {
    await d.team.disconnect(query.keepCache);
    return null;
  },
  listAgents: () => ({ items: d.team.agents() }),
  listTeamAgents: async () => ({ items: await d.team.admin.agents() }),
  inviteAgent: ({ body }) => d.team.admin.invite(body),
  patchTeamAgent: ({ params, body }) => d.team.admin.patchAgent(params.id, body),
  createNote: ({ params, body }) => {
    const conv = conversationById(d, params.id);
    if (!d.team.owns(conv.id)) throw soloMode('Notes');
    return d.team.note(conv, body.text);
  },
});
