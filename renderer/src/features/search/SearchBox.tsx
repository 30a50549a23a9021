// The one search box over all cached messages and contacts ("/" focuses it, Escape clears it).
import { navigate, useUi } from '../../app/store';

export const SEARCH_INPUT_ID = 'search';

/** Focuses the search box, synchronously when it is on screen so the next keystroke lands in it. */
export function focusSearch(): void {
  const box = document.getElementById(SEARCH_INPUT_ID);
  if (box) return box.focus();
  navigate('inbox');
  requestAnimationFrame(() => document.getElementById(SEARCH_INPUT_ID)?.focus());
}

export function SearchBox() {
  const text = useUi((s) => s.searchText);
  return (
    <div className="search-box">
      <input
        id={SEARCH_INPUT_ID}
        type="search"
        placeholder="Search messages and contacts  ( / )"
        aria-label="Search messages and contacts"
        autoComplete="off"
        value={text}
        onChange={(e) => useUi.setState({ searchText: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            useUi.setState({ searchText: '' });
            e.currentTarget.blur();
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            document.querySelector<HTMLElement>('.search-hit')?.focus();
          }
        }}
      />
    </div>
  );
}
