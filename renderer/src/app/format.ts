// Times and durations as an agent reads them in a dense list.

/**
 * A formatter made on first use: each costs milliseconds to build (more in a fresh page), and a screen needs
 * only some of them.
 */
function lazyFormat(options: Intl.DateTimeFormatOptions): { format(d: Date): string } {
  let made: Intl.DateTimeFormat | null = null;
  return { format: (d) => (made ??= new Intl.DateTimeFormat(undefined, options)).format(d) };
}

const timeFormat = lazyFormat({ hour: '2-digit', minute: '2-digit' });
const dayFormat = lazyFormat({ month: 'short', day: 'numeric' });
const fullFormat = lazyFormat({ dateStyle: 'medium', timeStyle: 'short' });
const longDayFormat = lazyFormat({ weekday: 'long', month: 'long', day: 'numeric' });

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** "14:05" today, "Mar 3" before. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return sameDay(d, new Date()) ? timeFormat.format(d) : dayFormat.format(d);
}

export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : timeFormat.format(d);
}

export function fullTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : fullFormat.format(d);
}

export function dayLabel(iso: string): string {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (sameDay(d, today)) return 'Today';
  if (sameDay(d, yesterday)) return 'Yesterday';
  return longDayFormat.format(d);
}

/** "45s", "12m", "3h 05m", "2d 4h". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function since(iso: string, now: number): string {
  return duration((now - new Date(iso).getTime()) / 1000);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
