// Team mode's server state: the hub this desktop is signed in to (null in solo mode, which hides every team
// control), the team's agents, signing in and out. A core without team routes answers an error: solo too.
import { useMemo } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Agent, TeamConnect, TeamState } from '@contract/team';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { useAfterFirstPaint } from '../../app/afterFirstPaint';
import { notify } from '../../app/store';

/** While signed in, the status and queue are asked again this often (they change without a push). */
const TEAM_POLL_MS = 5000;
/** While the first snapshot is being stored, its progress is asked again this often. */
const SNAPSHOT_POLL_MS = 1000;

export function useTeamQuery() {
  const api = useApi();
  return useQuery({
    queryKey: keys.team,
    queryFn: () => api.call('getTeam', {}),
    enabled: useAfterFirstPaint(),
    staleTime: TEAM_POLL_MS,
    refetchInterval: (q) =>
      !q.state.data ? false : q.state.data.snapshot.done ? TEAM_POLL_MS : SNAPSHOT_POLL_MS,
    retry: false,
  });
}

/** The team state, or null in solo mode (and until it is known). */
export const useTeam = (): TeamState | null => useTeamQuery().data ?? null;

/** Solo mode, or a team admin: channels can be added, changed and removed here (the hub's, in team mode). */
export function useCanManageChannels(): boolean {
  const team = useTeam();
  return team === null || team.agent.role === 'admin';
}

/** The signed-in agent's id; null in solo mode. */
export const useMyAgentId = (): string | null => useTeam()?.agent.id ?? null;

export function useAgents(): Agent[] {
  const api = useApi();
  const team = useTeam();
  const query = useQuery({
    queryKey: keys.agents,
    queryFn: () => api.call('listAgents', {}),
    enabled: team !== null,
    staleTime: 60_000,
  });
  return query.data?.items ?? [];
}

/** Agents by id, for naming assignees, note authors and repliers. */
export function useAgentNames(): Map<string, string> {
  const agents = useAgents();
  return useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);
}

export function useConnectTeam() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TeamConnect) => api.call('connectTeam', { body }),
    onSuccess: (team) => {
      qc.setQueryData(keys.team, team);
      // The cache now follows the hub: everything on screen is asked again.
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.team[0] });
      notify(`Signed in to the team as ${team.agent.name}.`);
    },
  });
}

export function useDisconnectTeam() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keepCache: boolean) =>
      api.call('disconnectTeam', { query: { keepCache: keepCache ? 'true' : 'false' } }),
    onSuccess: () => {
      qc.setQueryData(keys.team, null);
      qc.removeQueries({ queryKey: keys.agents });
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.team[0] });
      notify('Signed out of the team. This desktop is in solo mode again.');
    },
    onError: (e) => notify(`Could not sign out: ${errorMessage(e)}`, 'error'),
  });
}
