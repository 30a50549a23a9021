// A list of short values edited as chips: type and press Enter (or comma) to add, × to remove.
import { useId, useState } from 'react';

interface Props {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  suggestions?: string[];
  placeholder?: string;
}

export function ChipsInput({ label, values, onChange, suggestions = [], placeholder }: Props) {
  const [draft, setDraft] = useState('');
  const listId = useId();
  const add = (raw: string) => {
    const value = raw.trim().replace(/,$/, '').trim();
    setDraft('');
    if (value && !values.includes(value)) onChange([...values, value]);
  };
  return (
    <div className="chips-input">
      <div className="tag-list">
        {values.map((v) => (
          <span key={v} className="tag">
            {v}
            <button
              type="button"
              className="tag-remove"
              aria-label={`Remove ${v}`}
              onClick={() => onChange(values.filter((x) => x !== v))}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <input
        type="text"
        aria-label={label}
        placeholder={placeholder}
        list={suggestions.length ? listId : undefined}
        value={draft}
        onChange={(e) => (e.target.value.endsWith(',') ? add(e.target.value) : setDraft(e.target.value))}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(draft);
          } else if (e.key === 'Backspace' && !draft && values.length) {
            onChange(values.slice(0, -1));
          }
        }}
        onBlur={() => draft && add(draft)}
      />
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions
            .filter((s) => !values.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
      )}
    </div>
  );
}
