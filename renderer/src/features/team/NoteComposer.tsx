// The composer's Note mode: an internal note for the team (never sent to the customer), with @mention
// completion of the team's agents. Enter adds the note, Shift+Enter starts a new line.
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { create } from 'zustand';
import type { Conversation } from '@contract/schemas';
import type { Agent } from '@contract/team';
import { Avatar } from '../../app/ui/Avatar';
import { COMPOSER_ID } from '../conversation/Composer';
import { insertMention, matchAgents, mentionAt, type MentionQuery } from './mentions';
import { useAddNote } from './notes';
import { useAgents } from './useTeam';

const useNoteDrafts = create<Record<string, string>>(() => ({}));
const setNoteDraft = (conversationId: string, text: string) =>
  useNoteDrafts.setState({ [conversationId]: text });

export function NoteComposer({ conversation }: { conversation: Conversation }) {
  const text = useNoteDrafts((s) => s[conversation.id] ?? '');
  const agents = useAgents();
  const add = useAddNote(conversation.id);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [menuIndex, setMenuIndex] = useState(0);
  const menuId = useId();
  const options = mention ? matchAgents(agents, mention.text) : [];
  const menuOpen = options.length > 0;
  const active = Math.min(menuIndex, Math.max(0, options.length - 1));

  const change = (value: string, caret: number) => {
    setNoteDraft(conversation.id, value);
    setMention(mentionAt(value, caret));
    setMenuIndex(0);
  };

  const pick = (agent: Agent) => {
    const input = inputRef.current;
    if (!mention || !input) return;
    const next = insertMention(text, input.selectionStart, mention, agent);
    setNoteDraft(conversation.id, next.value);
    setMention(null);
    requestAnimationFrame(() => input.setSelectionRange(next.caret, next.caret));
  };

  const submit = () => {
    const note = text.trim();
    if (!note) return;
    add.mutate(note, {
      onError: () => {
        if (!useNoteDrafts.getState()[conversation.id]) setNoteDraft(conversation.id, text);
      },
    });
    setNoteDraft(conversation.id, '');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (menuOpen) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setMenuIndex((active + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(options[active]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <div className="composer composer-note-mode">
      {menuOpen && (
        <ul className="canned-menu mention-menu" id={menuId} role="listbox" aria-label="Mention an agent">
          {options.map((a, i) => (
            <li
              key={a.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'is-active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(a);
              }}
            >
              <Avatar name={a.name} size={20} />
              <span className="canned-name">{a.name}</span>
              <span className="canned-text">{a.email}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <textarea
          ref={inputRef}
          id={COMPOSER_ID}
          className="composer-input note-input"
          aria-label="Internal note for your team"
          aria-controls={menuOpen ? menuId : undefined}
          placeholder="Write an internal note… @ to mention someone"
          rows={3}
          value={text}
          onChange={(e) => change(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
        />
        <button type="button" className="btn btn-note" onClick={submit} disabled={!text.trim()}>
          Add note
        </button>
      </div>
      <p className="composer-hint">
        Only your team sees notes · Enter to add · Shift+Enter for a new line · @ to mention
      </p>
    </div>
  );
}
