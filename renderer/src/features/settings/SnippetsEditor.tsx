// The agent's own canned replies (offered after "/" in the composer next to provider templates).
import { useState } from 'react';
import type { Settings } from '@contract/schemas';
import { notify } from '../../app/store';
import { useSaveSettings } from './useSettings';

type Snippet = Settings['snippets'][number];

export function SnippetsEditor({ snippets }: { snippets: Snippet[] }) {
  const { save, isPending } = useSaveSettings();
  const [draft, setDraft] = useState<Snippet[] | null>(null);
  const list = draft ?? snippets;
  const dirty = draft !== null;
  const valid = list.every((s) => s.name.trim() && s.text.trim());

  const edit = (i: number, change: Partial<Snippet>) =>
    setDraft(list.map((s, j) => (j === i ? { ...s, ...change } : s)));

  return (
    <section className="card form" aria-labelledby="snippets-heading">
      <h2 className="card-title" id="snippets-heading">
        Canned replies
      </h2>
      <p className="muted">
        Type <kbd>/</kbd> at the start of a reply to insert one. Provider templates show up there too.
      </p>
      {list.length === 0 && <p className="muted">No snippets yet.</p>}
      <ul className="snippet-list">
        {list.map((s, i) => (
          <li key={i} className="snippet-item">
            <input
              type="text"
              aria-label={`Snippet ${i + 1} name`}
              placeholder="Name"
              maxLength={60}
              value={s.name}
              onChange={(e) => edit(i, { name: e.target.value })}
            />
            <textarea
              aria-label={`Snippet ${i + 1} text`}
              placeholder="Reply text"
              rows={2}
              maxLength={4000}
              value={s.text}
              onChange={(e) => edit(i, { text: e.target.value })}
            />
            <button
              type="button"
              className="btn btn-small btn-danger-ghost"
              onClick={() => setDraft(list.filter((_, j) => j !== i))}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => setDraft([...list, { name: '', text: '' }])}>
          Add snippet
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!dirty || !valid || isPending}
          onClick={() =>
            save(
              { snippets: list.map((s) => ({ name: s.name.trim(), text: s.text.trim() })) },
              {
                onSuccess: () => {
                  setDraft(null);
                  notify('Canned replies saved.');
                },
              },
            )
          }
        >
          {isPending ? 'Saving…' : 'Save snippets'}
        </button>
        {dirty && (
          <button type="button" className="btn btn-ghost" onClick={() => setDraft(null)}>
            Discard changes
          </button>
        )}
      </div>
    </section>
  );
}
