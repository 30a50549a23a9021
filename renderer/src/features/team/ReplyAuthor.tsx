// Who on the team wrote an outgoing message (team mode: the hub names the author); nothing in solo mode or
// for a reply without one (sent from the provider's own tools, or before the team).
import type { Message } from '@contract/schemas';
import { useAgentNames, useMyAgentId } from './useTeam';

export function ReplyAuthor({ meta }: { meta: Message['meta'] }) {
  const authorId = typeof meta?.authorId === 'string' ? meta.authorId : null;
  // Most replies name no author: they skip the team queries a thread would otherwise subscribe to per bubble.
  return authorId ? <NamedAuthor authorId={authorId} /> : null;
}

function NamedAuthor({ authorId }: { authorId: string }) {
  const me = useMyAgentId();
  const names = useAgentNames();
  if (!me) return null;
  return <span className="msg-author">{authorId === me ? 'You' : (names.get(authorId) ?? 'An agent')}</span>;
}
