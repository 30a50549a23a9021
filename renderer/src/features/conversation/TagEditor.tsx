// The conversation's tags: remove with ×, add by typing and pressing Enter.
import { useState } from 'react';
import type { Conversation } from '@contract/schemas';
import { usePatchConversation } from './useConversation';

export function TagEditor({ conversation }: { conversation: Conversation }) {
  const patch = usePatchConversation();
  const [draft, setDraft] = useState('');

  const save = (tags: string[]) => patch.mutate({ conversation, patch: { tags } });
  const add = () => {
    const tag = draft.trim();
    setDraft('');
    if (tag && !conversation.tags.includes(tag)) save([...conversation.tags, tag]);
  };

  return (
    <section className="tag-editor" aria-label="Conversation tags">
      <h3 className="panel-heading">Tags</h3>
      <div className="tag-list">
        {conversation.tags.map((t) => (
          <span key={t} className="tag">
            {t}
            <button
              type="button"
              className="tag-remove"
              aria-label={`Remove tag ${t}`}
              onClick={() => save(conversation.tags.filter((x) => x !== t))}
            >
              ×
            </button>
          </span>
        ))}
        {!conversation.tags.length && <span className="muted">No tags yet.</span>}
      </div>
      <form
        className="tag-add"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <input
          type="text"
          aria-label="Add a tag"
          placeholder="Add a tag…"
          maxLength={60}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      </form>
    </section>
  );
}
