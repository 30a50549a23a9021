// The reading pane: header with actions, history, contact panel and — last in the DOM, so it is the
// last text field on the page — the reply composer.
import type { Conversation } from '@contract/schemas';
import { useShortcutKeys } from '../../app/keyboard';
import { ConversationStatusBadge, ProviderBadge } from '../../app/ui/badges';
import { ErrorState, SkeletonRows } from '../../app/ui/states';
import { useChannelMap } from '../channels/useChannels';
import { FailedReplyBanner } from '../outbox/FailedReplyBanner';
import { AssigneeControl } from '../team/AssigneeControl';
import { ComposerArea } from '../team/ComposerArea';
import { ConversationPresence } from '../team/PresenceViews';
import { COMPOSER_ID } from './Composer';
import { ConversationActions } from './ConversationActions';
import { ContactPanel } from './ContactPanel';
import { MessageList } from './MessageList';
import { useConversation, useMarkReadWhileOpen, usePatchConversation } from './useConversation';

export function ConversationView({ id }: { id: string }) {
  const query = useConversation(id);
  const conversation = query.data;
  useMarkReadWhileOpen(conversation);
  useConversationKeys(conversation);
  const channel = useChannelMap().get(conversation?.channelId ?? '');

  if (!conversation) {
    if (query.isError) {
      return (
        <ErrorState
          what="This conversation could not be opened."
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      );
    }
    return <SkeletonRows count={6} height={64} />;
  }

  return (
    <section className="conversation" aria-label={`Conversation with ${conversation.contact.name}`}>
      <header className="conv-header">
        <div className="conv-title">
          <h2>{conversation.contact.name || conversation.contact.handle}</h2>
          <span className="conv-subtitle">
            <ProviderBadge provider={conversation.provider} />
            <span>{channel?.name}</span>
            <span className="muted">{conversation.contact.handle}</span>
            <ConversationStatusBadge status={conversation.status} />
            <ConversationPresence conversationId={conversation.id} />
          </span>
          <AssigneeControl conversation={conversation} />
        </div>
        <ConversationActions conversation={conversation} />
      </header>
      <ContactPanel conversation={conversation} channel={channel} />
      <MessageList conversationId={conversation.id} />
      <FailedReplyBanner conversationId={conversation.id} />
      <ComposerArea conversation={conversation} channel={channel} />
    </section>
  );
}

/** r focuses the reply box, e resolves (or reopens) the open conversation. */
function useConversationKeys(conversation: Conversation | undefined) {
  const patch = usePatchConversation();
  useShortcutKeys((e) => {
    if (!conversation) return;
    if (e.key === 'r') {
      e.preventDefault();
      document.getElementById(COMPOSER_ID)?.focus();
    } else if (e.key === 'e') {
      e.preventDefault();
      const resolved = conversation.status === 'resolved';
      patch.mutate({
        conversation,
        patch: { status: resolved ? 'open' : 'resolved' },
        done: resolved ? 'Conversation reopened.' : 'Conversation resolved.',
      });
    }
  });
}
