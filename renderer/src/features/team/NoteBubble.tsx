// An internal note in the thread: across the whole width, on its own colour, labelled "Internal note" with its
// author, so it never reads as a message the customer saw.
import { memo } from 'react';
import type { TeamNote } from '@contract/team';
import { clockTime, fullTime } from '../../app/format';

const STATUS_TEXT: Record<TeamNote['status'], string | null> = {
  queued: 'Not uploaded yet',
  applied: null,
  rejected: 'Refused by the hub',
};

export const NoteBubble = memo(function NoteBubble({ note }: { note: TeamNote }) {
  const status = STATUS_TEXT[note.status];
  return (
    <article
      id={`note-${note.id}`}
      className={`note note-${note.status}`}
      aria-label={`Internal note by ${note.authorName ?? 'an agent'}`}
    >
      <header className="note-head">
        <span className="note-label">Internal note</span>
        <span className="note-author">{note.authorName ?? 'An agent'}</span>
        <span className="muted">· only your team sees this</span>
      </header>
      <p className="note-text">{note.text}</p>
      <footer className="note-foot">
        <time dateTime={note.createdAt} title={fullTime(note.createdAt)}>
          {clockTime(note.createdAt)}
        </time>
        {status && <span className={`note-status note-status-${note.status}`}>{status}</span>}
      </footer>
    </article>
  );
});
