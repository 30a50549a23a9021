// Snooze presets plus a custom time; answers an ISO timestamp.
import { useEffect, useRef, useState } from 'react';
import { useNow } from '../../app/useNow';

/** Each preset computes its time when chosen, not when the menu was drawn. */
const PRESETS: { label: string; at: () => Date }[] = [
  { label: 'In 1 hour', at: () => new Date(Date.now() + 3_600_000) },
  { label: 'In 3 hours', at: () => new Date(Date.now() + 3 * 3_600_000) },
  { label: 'Tomorrow, 9:00', at: () => nextDayAt9(1) },
  { label: 'Next Monday, 9:00', at: () => nextDayAt9((8 - new Date().getDay()) % 7 || 7) },
];

function nextDayAt9(daysAhead: number): Date {
  const d = new Date();
  d.setDate(d.getDate() + daysAhead);
  d.setHours(9, 0, 0, 0);
  return d;
}

/** "YYYY-MM-DDTHH:mm" in local time, as <input type="datetime-local"> wants it. */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function SnoozeMenu({ onPick, onClose }: { onPick: (iso: string) => void; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [custom, setCustom] = useState(() => toLocalInput(new Date(Date.now() + 86_400_000)));

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);

  const now = useNow();
  const customDate = new Date(custom);
  const customValid = !Number.isNaN(customDate.getTime()) && customDate.getTime() > now;

  return (
    <div className="popover" ref={ref} role="group" aria-label="Snooze until">
      {PRESETS.map((p) => (
        <button
          key={p.label}
          type="button"
          className="menu-item"
          onClick={() => onPick(p.at().toISOString())}
        >
          {p.label}
        </button>
      ))}
      <form
        className="snooze-custom"
        onSubmit={(e) => {
          e.preventDefault();
          if (customValid) onPick(customDate.toISOString());
        }}
      >
        <label>
          Until
          <input type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-small" disabled={!customValid}>
          Snooze
        </button>
      </form>
    </div>
  );
}
