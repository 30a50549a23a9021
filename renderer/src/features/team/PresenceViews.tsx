// Who else is in a conversation (team mode): avatars in the header and the inbox row, "Ben is typing…" above
// the composer. Nothing when nobody else is there, and always nothing in solo mode.
import { Avatar } from '../../app/ui/Avatar';
import { usePresence, usePresentAgents, useReportPresence, type PresentAgent } from './presence';

const describe = (a: PresentAgent) => `${a.name} is ${a.state === 'typing' ? 'typing' : 'viewing'}`;

export function PresenceAvatars({ conversationId, size = 22 }: { conversationId: string; size?: number }) {
  // Nobody there (always so in solo mode): no team query subscribed per inbox row.
  const anyone = usePresence((s) => (s[conversationId]?.length ?? 0) > 0);
  return anyone ? <OthersPresent conversationId={conversationId} size={size} /> : null;
}

function OthersPresent({ conversationId, size }: { conversationId: string; size: number }) {
  const agents = usePresentAgents(conversationId);
  if (!agents.length) return null;
  const label = agents.map(describe).join(', ');
  return (
    <span className="presence-avatars" role="img" aria-label={label} title={label}>
      {agents.map((a) => (
        <span key={a.id} className={`presence-avatar presence-${a.state}`} data-agent-id={a.id}>
          <Avatar name={a.name} size={size} />
        </span>
      ))}
    </span>
  );
}

/** The open conversation's header part: reports this agent's presence and shows the others'. */
export function ConversationPresence({ conversationId }: { conversationId: string }) {
  useReportPresence(conversationId);
  return <PresenceAvatars conversationId={conversationId} />;
}

export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const typing = usePresentAgents(conversationId).filter((a) => a.state === 'typing');
  if (!typing.length) return null;
  const names = typing.map((a) => a.name);
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return (
    <p className="typing-indicator" role="status">
      {who} {names.length === 1 ? 'is' : 'are'} typing…
    </p>
  );
}
