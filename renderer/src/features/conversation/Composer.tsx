// The reply box: Enter sends, Shift+Enter starts a new line, "/" at the start offers canned replies.
// A sent reply appears in the history at once as queued; the draft is kept per conversation. A draft longer
// than the conversation's known limit is not sent: the button says why and the text stays to be shortened.
import { useId, useState, type KeyboardEvent } from 'react';
import type { Channel, Conversation, Template } from '@contract/schemas';
import { ApiError } from '../../api/client';
import { setDraft, useUi } from '../../app/store';
import { useSendGuard } from '../team/sendGuard';
import { replyLength } from './replyLength';
import { useSendReply } from './useMessages';
import { matchTemplates, useTemplates } from './useTemplates';

export const COMPOSER_ID = 'composer';

const newClientId = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export function Composer({
  conversation,
  channel,
}: {
  conversation: Conversation;
  channel: Channel | undefined;
}) {
  const text = useUi((s) => s.drafts[conversation.id] ?? '');
  const send = useSendReply(conversation.id);
  const templates = useTemplates(conversation.channelId);
  const [menuIndex, setMenuIndex] = useState(0);
  const [menuDismissed, setMenuDismissed] = useState(false);
  const menuId = useId();
  const hintId = useId();
  const limitId = useId();
  const length = replyLength(conversation, text);
  const guard = useSendGuard(conversation.id);

  const cannedQuery = /^\/[^\n]*$/.test(text) && !menuDismissed ? text.slice(1) : null;
  const options = cannedQuery === null ? [] : matchTemplates(templates, cannedQuery);
  const menuOpen = cannedQuery !== null;
  const active = Math.min(menuIndex, Math.max(0, options.length - 1));

  const change = (value: string) => {
    setDraft(conversation.id, value);
    if (!value.startsWith('/')) setMenuDismissed(false);
    setMenuIndex(0);
  };

  const insert = (t: Template) => {
    setDraft(conversation.id, t.text);
    setMenuDismissed(true);
  };

  const submit = () => {
    if (!text.trim() || length.tooLong) return;
    guard.confirm(() => {
      send.mutate(
        { text, clientId: newClientId() },
        {
          // Refused by the local API (nothing stored): the text comes back unless the agent started another.
          onError: (e) => {
            if (e instanceof ApiError && e.status === 400 && !useUi.getState().drafts[conversation.id])
              setDraft(conversation.id, text);
          },
        },
      );
      setDraft(conversation.id, '');
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (menuOpen && options.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setMenuIndex((active + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(options[active]);
        return;
      }
    }
    if (menuOpen && e.key === 'Escape') {
      e.preventDefault();
      setMenuDismissed(true);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  const offline =
    channel &&
    (channel.status === 'offline' || channel.status === 'auth_error' || channel.status === 'paused');

  return (
    <div className="composer">
      {menuOpen && (
        <div className="canned-menu" id={menuId}>
          {options.length ? (
            <ul role="listbox" aria-label="Canned replies">
              {options.map((t, i) => (
                <li
                  key={t.id}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'is-active' : ''}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    insert(t);
                  }}
                >
                  <span className="canned-name">{t.name}</span>
                  <span className="canned-text">{t.text}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="canned-empty">
              {templates.length
                ? 'No canned reply matches.'
                : 'No canned replies yet. Add your own snippets in Settings.'}
            </p>
          )}
        </div>
      )}
      {offline && (
        <p className="composer-note">
          {channel.name} is {channel.status === 'paused' ? 'paused' : 'offline'} — replies are queued and go
          out when it is back.
        </p>
      )}
      {length.tooLong && (
        <p className="composer-limit" id={limitId} role="alert">
          {length.tooLong}. Shorten it to send.
        </p>
      )}
      <div className="composer-row">
        <textarea
          id={COMPOSER_ID}
          className="composer-input"
          aria-label={`Reply to ${conversation.contact.name || conversation.contact.handle}`}
          aria-describedby={hintId}
          aria-controls={menuOpen ? menuId : undefined}
          placeholder="Write a reply…"
          rows={3}
          value={text}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button
          type="button"
          className="btn btn-primary"
          onClick={submit}
          disabled={!text.trim() || Boolean(length.tooLong)}
          aria-describedby={length.tooLong ? limitId : undefined}
        >
          Send
        </button>
      </div>
      {guard.dialog}
      <p className="composer-hint" id={hintId}>
        Enter to send · Shift+Enter for a new line · / for canned replies
        {length.count && (
          <span className={`composer-count${length.tooLong ? ' is-over' : ''}`}>{length.count}</span>
        )}
      </p>
    </div>
  );
}
