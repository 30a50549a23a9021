// Snooze presets plus a custom time; answers an ISO timestamp.
import { useEffect, useRef, useState } from 'react';

function presets(now: Date): { label: string; at: Date }[] {
  const inHours = (h: number) => new Date(now.getTime() + h * 3_600_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const nextWeek = new Date(now);
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  nextWeek.setHours(9, 0, 0, 0);
  return [
    { label: 'In 1 hour', at: inHours(1) },
    { label: 'In 3 hours', at: inHours(3) },
    { label: 'Tomorrow, 9:00', at: tomorrow },
    { label: 'Next Monday, 9:00', at: nextWeek },
  ];
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

  const customDate = new Date(custom);
  const customValid = !Number.isNaN(customDate.getTime()) && customDate.getTime() > Date.now();

  return (
    <div className="popover" ref={ref} role="group" aria-label="Snooze until">
      {presets(new Date()).map((p) => (
        <button key={p.label} type="button" className="menu-item" onClick={() => onPick(p.at.toISOString())}>
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
