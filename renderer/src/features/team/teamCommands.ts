// The command palette's team commands: claim, assign to each agent, unassign the open conversation, and the
// assignee views. None in solo mode.
import type { Conversation } from '@contract/schemas';
import { navigate } from '../../app/store';
import type { Command } from '../palette/useCommands';
import { CLAIM_KEY, claimInput } from './AssigneeControl';
import { ASSIGNEE_VIEWS, showAssigneeView } from './assigneeViews';
import { useAssign } from './useAssign';
import { useAgents, useTeam } from './useTeam';

export function useTeamCommands(conversation: Conversation | undefined): Command[] {
  const team = useTeam();
  const agents = useAgents();
  const assign = useAssign();
  if (!team) return [];
  const me = team.agent.id;
  const commands: Command[] = ASSIGNEE_VIEWS.map((v) => ({
    id: `assignee-view-${v.id}`,
    label: `Show ${v.id === 'all' ? 'all conversations' : v.id === 'mine' ? 'my conversations' : 'unassigned conversations'}`,
    run: () => {
      navigate('inbox');
      showAssigneeView(v.id);
    },
  }));
  if (!conversation) return commands;
  const name = conversation.contact.name || conversation.contact.handle;
  if (conversation.assigneeId !== me) {
    commands.push({
      id: 'claim',
      label: `Claim conversation with ${name}`,
      hint: CLAIM_KEY,
      run: () => assign.mutate(claimInput(conversation, me)),
    });
  }
  for (const agent of agents) {
    if (agent.id === me || agent.id === conversation.assigneeId) continue;
    commands.push({
      id: `assign-${agent.id}`,
      label: `Assign conversation with ${name} to ${agent.name}`,
      run: () => assign.mutate({ conversation, assigneeId: agent.id, done: `Assigned to ${agent.name}.` }),
    });
  }
  if (conversation.assigneeId) {
    commands.push({
      id: 'unassign',
      label: `Unassign conversation with ${name}`,
      run: () => assign.mutate({ conversation, assigneeId: null, done: 'Unassigned.' }),
    });
  }
  return commands;
}
