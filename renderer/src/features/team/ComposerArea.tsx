// Below the thread: in solo mode the reply composer alone; in team mode who is typing, a Reply | Note switch
// and the composer of the chosen mode.
import { create } from 'zustand';
import type { Channel, Conversation } from '@contract/schemas';
import { Composer } from '../conversation/Composer';
import { NoteComposer } from './NoteComposer';
import { TypingIndicator } from './PresenceViews';
import { useTeam } from './useTeam';

type Mode = 'reply' | 'note';
const useComposerMode = create<Record<string, Mode>>(() => ({}));

export function ComposerArea({
  conversation,
  channel,
}: {
  conversation: Conversation;
  channel: Channel | undefined;
}) {
  const inTeam = useTeam() !== null;
  const mode = useComposerMode((s) => s[conversation.id] ?? 'reply');
  if (!inTeam) return <Composer conversation={conversation} channel={channel} />;
  const setMode = (m: Mode) => useComposerMode.setState({ [conversation.id]: m });

  return (
    <div className={`composer-area composer-area-${mode}`}>
      <TypingIndicator conversationId={conversation.id} />
      <div className="composer-modes" role="radiogroup" aria-label="Write a">
        {(['reply', 'note'] as const).map((m) => (
          <label key={m} className={`composer-mode${mode === m ? ' is-current' : ''}`}>
            <input
              type="radio"
              name={`composer-mode-${conversation.id}`}
              checked={mode === m}
              onChange={() => setMode(m)}
            />
            {m === 'reply' ? 'Reply' : 'Note'}
          </label>
        ))}
      </div>
      {mode === 'note' ? (
        <NoteComposer conversation={conversation} />
      ) : (
        <Composer conversation={conversation} channel={channel} />
      )}
    </div>
  );
}
