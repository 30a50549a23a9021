// Settings → Team → Agents (admins only): the team as the hub lists it, inviting an agent (its one-time password
// shown here once, to hand over), changing a role, deactivating and reactivating. The hub decides; its refusal
// (the last admin, an email taken) shows in its words.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AgentInvite, AgentInvited, TeamAgent, TeamAgentPatch } from '@contract/team';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { notify } from '../../app/store';

const ROLES = ['agent', 'admin'] as const;

export function TeamAgents() {
  const api = useApi();
  const agents = useQuery({
    queryKey: keys.teamAgents,
    queryFn: () => api.call('listTeamAgents', {}),
  });
  return (
    <div className="team-agents">
      <h3>Agents</h3>
      {agents.isError && (
        <p className="field-error" role="alert">
          The team could not be read: {errorMessage(agents.error)}
        </p>
      )}
      {agents.data && (
        <ul className="team-agent-list" aria-label="The team's agents">
          {agents.data.items.map((a) => (
            <AgentRow key={a.id} agent={a} />
          ))}
        </ul>
      )}
      <InviteAgent />
    </div>
  );
}

function usePatchAgent() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: TeamAgentPatch }) =>
      api.call('patchTeamAgent', { params: { id }, body: patch }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.teamAgents });
      void qc.invalidateQueries({ queryKey: keys.agents });
    },
  });
}

function AgentRow({ agent }: { agent: TeamAgent }) {
  const patch = usePatchAgent();
  const change = (p: TeamAgentPatch, done: string) =>
    patch.mutate(
      { id: agent.id, patch: p },
      {
        onSuccess: () => notify(done),
        onError: (e) => notify(`Could not change ${agent.name}: ${errorMessage(e)}`, 'error'),
      },
    );
  return (
    <li className="team-agent" aria-label={agent.name} data-active={agent.active}>
      <span className="team-agent-name">
        {agent.name} <span className="muted">{agent.email}</span>
        {!agent.active && <span className="muted"> · deactivated</span>}
      </span>
      <label className="team-agent-role">
        <span className="visually-hidden">Role of {agent.name}</span>
        <select
          value={agent.role}
          disabled={patch.isPending || !agent.active}
          onChange={(e) =>
            change(
              { role: e.target.value as TeamAgent['role'] },
              `${agent.name} is ${e.target.value === 'admin' ? 'an admin' : 'an agent'} now.`,
            )
          }
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r === 'admin' ? 'Admin' : 'Agent'}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className={agent.active ? 'btn btn-danger-ghost' : 'btn'}
        disabled={patch.isPending}
        onClick={() =>
          change(
            { active: !agent.active },
            agent.active ? `${agent.name} is deactivated and signed out.` : `${agent.name} is active again.`,
          )
        }
      >
        {agent.active ? 'Deactivate' : 'Reactivate'}
      </button>
    </li>
  );
}

function InviteAgent() {
  const api = useApi();
  const qc = useQueryClient();
  const [form, setForm] = useState<AgentInvite>({ email: '', name: '', role: 'agent' });
  const [invited, setInvited] = useState<AgentInvited | null>(null);
  const invite = useMutation({
    mutationFn: (body: AgentInvite) => api.call('inviteAgent', { body }),
    onSuccess: (r) => {
      setInvited(r);
      setForm({ email: '', name: '', role: 'agent' });
      void qc.invalidateQueries({ queryKey: keys.teamAgents });
      void qc.invalidateQueries({ queryKey: keys.agents });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setInvited(null);
    invite.mutate({ ...form, email: form.email.trim(), name: form.name.trim() });
  };
  return (
    <form onSubmit={submit} aria-label="Invite an agent" className="team-invite">
      <h4>Invite an agent</h4>
      <div className="field-row">
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            required
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Name</span>
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span>Role</span>
          <select
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.target.value as AgentInvite['role'] })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r === 'admin' ? 'Admin' : 'Agent'}
              </option>
            ))}
          </select>
        </label>
      </div>
      {invite.isError && (
        <p className="field-error" role="alert">
          {errorMessage(invite.error)}
        </p>
      )}
      {invited && (
        <div className="banner team-invited" role="status">
          {invited.agent.name} can sign in as {invited.agent.email} with the one-time password{' '}
          <code className="mono" data-testid="one-time-password">
            {invited.password}
          </code>
          . It is shown only this once: hand it over now.
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
          {invite.isPending ? 'Inviting…' : 'Invite'}
        </button>
      </div>
    </form>
  );
}
