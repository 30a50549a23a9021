// Who on the team wrote an outgoing message (team mode: the hub names the author); nothing in solo mode or
// for a reply without one (sent from the provider's own tools, or before the team).
import type { Message } from '@contract/schemas';
import { useAgentNames, useMyAgentId } from './useTeam';

export function ReplyAuthor({ meta }: { meta: Message['meta'] }) {
  const me = useMyAgentId();
  const names = useAgentNames();
  const authorId = typeof meta?.authorId === 'string' ? meta.authorId : null;
  if (!me || !authorId) return null;
  return <span className="msg-author">{authorId === me ? 'You' : (names.get(authorId) ?? 'An agent')}</span>;
}
