// Read/unread, resolve/reopen and snooze for the open conversation.
import { useState } from 'react';
import type { Conversation } from '@contract/schemas';
import { fullTime } from '../../app/format';
import { useUi } from '../../app/store';
import { SnoozeMenu } from './SnoozeMenu';
import { usePatchConversation } from './useConversation';

export function ConversationActions({ conversation }: { conversation: Conversation }) {
  const patch = usePatchConversation();
  const [snoozing, setSnoozing] = useState(false);
  const resolved = conversation.status === 'resolved';
  const snoozed = conversation.status === 'snoozed';

  return (
    <div className="conv-actions" role="toolbar" aria-label="Conversation actions">
      <button
        type="button"
        className="btn"
        onClick={() => {
          patch.mutate({ conversation, patch: { read: false }, done: 'Marked as unread.' });
          // Staying open would mark it read again at once.
          useUi.setState({ openId: null });
        }}
      >
        Mark unread
      </button>
      {snoozed ? (
        <button
          type="button"
          className="btn"
          title={
            conversation.snoozedUntil ? `Snoozed until ${fullTime(conversation.snoozedUntil)}` : undefined
          }
          onClick={() =>
            patch.mutate({ conversation, patch: { status: 'open', snoozedUntil: null }, done: 'Unsnoozed.' })
          }
        >
          Unsnooze
        </button>
      ) : (
        <div className="menu-anchor">
          <button
            type="button"
            className="btn"
            aria-expanded={snoozing}
            onClick={() => setSnoozing((v) => !v)}
          >
            Snooze…
          </button>
          {snoozing && (
            <SnoozeMenu
              onPick={(until) => {
                setSnoozing(false);
                patch.mutate({
                  conversation,
                  patch: { status: 'snoozed', snoozedUntil: until },
                  done: `Snoozed until ${fullTime(until)}.`,
                });
              }}
              onClose={() => setSnoozing(false)}
            />
          )}
        </div>
      )}
      <button
        type="button"
        className={resolved ? 'btn' : 'btn btn-primary'}
        aria-keyshortcuts="e"
        onClick={() =>
          patch.mutate({
            conversation,
            patch: { status: resolved ? 'open' : 'resolved' },
            done: resolved ? 'Conversation reopened.' : 'Conversation resolved.',
          })
        }
      >
        {resolved ? 'Reopen' : 'Resolve'}
      </button>
    </div>
  );
}
