// The open conversation's assignee in team mode: who has it, Claim (a), Assign to… and Unassign, and — right
// here, where the agent acted — who took it first when a claim lost the race. Renders nothing in solo mode.
import { useEffect, useRef, useState } from 'react';
import type { Conversation } from '@contract/schemas';
import type { Agent } from '@contract/team';
import { useShortcutKeys } from '../../app/keyboard';
import { Avatar } from '../../app/ui/Avatar';
import { dismissConflict, useAssign, useAssignConflicts, type AssignInput } from './useAssign';
import { useAgentNames, useAgents, useTeam } from './useTeam';

/** The single-key shortcut that claims the open conversation. */
export const CLAIM_KEY = 'a';

export function claimInput(conversation: Conversation, me: string): AssignInput {
  return { conversation, assigneeId: me, done: 'You have this conversation now.' };
}

export function AssigneeControl({ conversation }: { conversation: Conversation }) {
  const team = useTeam();
  const names = useAgentNames();
  const assign = useAssign();
  const conflict = useAssignConflicts((s) => s[conversation.id]);
  const [picking, setPicking] = useState(false);
  const me = team?.agent.id ?? null;
  const mine = me !== null && conversation.assigneeId === me;

  useShortcutKeys((e) => {
    if (e.key !== CLAIM_KEY || !me || mine) return;
    e.preventDefault();
    assign.mutate(claimInput(conversation, me));
  }, me !== null);

  if (!team || !me) return null;
  const assigneeName = conversation.assigneeId
    ? mine
      ? 'you'
      : (names.get(conversation.assigneeId) ?? 'an agent')
    : null;

  return (
    <div className="assignee" role="group" aria-label="Assignment">
      <span className="assignee-current" data-assignee-id={conversation.assigneeId ?? ''}>
        {assigneeName ? (
          <>
            <Avatar name={mine ? team.agent.name : assigneeName} size={22} />
            Assigned to {assigneeName}
          </>
        ) : (
          <span className="muted">Unassigned</span>
        )}
      </span>
      {!mine && (
        <button
          type="button"
          className="btn btn-small"
          aria-keyshortcuts={CLAIM_KEY}
          title={`Assign it to yourself (${CLAIM_KEY})`}
          onClick={() => assign.mutate(claimInput(conversation, me))}
        >
          Claim
        </button>
      )}
      <div className="menu-anchor">
        <button
          type="button"
          className="btn btn-small"
          aria-expanded={picking}
          onClick={() => setPicking((v) => !v)}
        >
          Assign to…
        </button>
        {picking && (
          <AgentMenu
            exceptId={conversation.assigneeId}
            onPick={(agent) => {
              setPicking(false);
              assign.mutate({
                conversation,
                assigneeId: agent.id,
                done: `Assigned to ${agent.id === me ? 'you' : agent.name}.`,
              });
            }}
            onClose={() => setPicking(false)}
          />
        )}
      </div>
      {conversation.assigneeId && (
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => assign.mutate({ conversation, assigneeId: null, done: 'Unassigned.' })}
        >
          Unassign
        </button>
      )}
      {conflict && (
        <p className="assign-conflict" role="alert">
          {conflict}
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => dismissConflict(conversation.id)}
          >
            OK
          </button>
        </p>
      )}
    </div>
  );
}

function AgentMenu({
  exceptId,
  onPick,
  onClose,
}: {
  exceptId: string | null;
  onPick: (agent: Agent) => void;
  onClose: () => void;
}) {
  const agents = useAgents().filter((a) => a.id !== exceptId);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);

  return (
    <div className="popover" ref={ref} role="group" aria-label="Assign to">
      {agents.length === 0 && <p className="muted">No other agents in the team.</p>}
      {agents.map((a) => (
        <button key={a.id} type="button" className="menu-item agent-item" onClick={() => onPick(a)}>
          <Avatar name={a.name} size={20} />
          {a.name}
        </button>
      ))}
    </div>
  );
}

/** A small avatar of the assignee for an inbox row; nothing when unassigned or in solo mode. */
export function RowAssignee({ assigneeId }: { assigneeId: string | null }) {
  // An unassigned row (every row in solo mode) subscribes to no team query: the inbox paints many rows.
  return assigneeId ? <AssigneeAvatar assigneeId={assigneeId} /> : null;
}

function AssigneeAvatar({ assigneeId }: { assigneeId: string }) {
  const names = useAgentNames();
  const me = useTeam()?.agent.id;
  if (!me) return null;
  const name = names.get(assigneeId) ?? 'An agent';
  const label = assigneeId === me ? 'Assigned to you' : `Assigned to ${name}`;
  return (
    <span className="row-assignee" role="img" title={label} aria-label={label} data-assignee-id={assigneeId}>
      <Avatar name={name} size={18} />
    </span>
  );
}
