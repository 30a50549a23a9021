// Ctrl/Cmd+K: type to filter commands, arrows to choose, Enter to run.
import { useId, useState, type KeyboardEvent } from 'react';
import { useUi } from '../../app/store';
import { Dialog } from '../../app/ui/Dialog';
import { useCommands } from './useCommands';

export function CommandPalette() {
  const commands = useCommands();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const listId = useId();
  const close = () => useUi.setState({ paletteOpen: false });

  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = commands.filter((c) => words.every((w) => c.label.toLowerCase().includes(w)));
  const active = Math.min(index, Math.max(0, matches.length - 1));

  const run = (i: number) => {
    const command = matches[i];
    if (!command) return;
    close();
    command.run();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (matches.length)
        setIndex((active + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      run(active);
    }
  };

  return (
    <Dialog title="Command palette" onClose={close} className="palette">
      <input
        type="text"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={matches.length ? `${listId}-${active}` : undefined}
        aria-label="Type a command"
        placeholder="Type a command…"
        autoFocus
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setIndex(0);
        }}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label="Commands" className="palette-list">
        {matches.map((c, i) => (
          <li
            key={c.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'is-active' : ''}
            onMouseEnter={() => setIndex(i)}
            onClick={() => run(i)}
          >
            <span>{c.label}</span>
            {c.hint && <kbd>{c.hint}</kbd>}
          </li>
        ))}
        {!matches.length && <li className="muted palette-empty">No command matches “{query}”.</li>}
      </ul>
    </Dialog>
  );
}
