// Provider input is untrusted: these readers take whatever a provider sent for one field and return a
// value of the right type and size, or a default. Connectors use them instead of trusting shapes.

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const obj = (v: unknown): Json => (isObj(v) ? v : {});

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Unpaired UTF-16 surrogates have no UTF-8 form: SQLite would store U+FFFD instead, and the stored text would
 * never equal what the provider sends again (so every re-read would rewrite it).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A string of at most `max` characters, well-formed; numbers become strings; anything else the fallback. */
export function str(v: unknown, fallback = '', max = 10_000): string {
  if (typeof v === 'string') return (v.length > max ? v.slice(0, max) : v).replace(LONE_SURROGATE, '\ufffd');
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return fallback;
}

/** An id: a non-empty string or a finite number, as a string; null when there is none. */
export function id(v: unknown): string | null {
  if (typeof v === 'string' && v.length > 0 && v.length <= 200) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function num(v: unknown, fallback = 0): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

export function bool(v: unknown, fallback = false): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1 || v === '1') return true;
  if (v === 'false' || v === 0 || v === '0') return false;
  return fallback;
}

export function strings(v: unknown, maxItems = 50): string[] {
  return arr(v)
    .map((x) => str(x, '', 100))
    .filter(Boolean)
    .slice(0, maxItems);
}

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_AHEAD_MS = 24 * 3600_000;
const MIN_ISO = new Date(MIN_TIME).toISOString();
/**
 * Already in the form isoTime returns (UTC, milliseconds, a day every month has), so parsing and printing it
 * again would change nothing: most providers send exactly this, for every message of a sync.
 */
const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
let latest = { until: 0, iso: '' };

/** The latest acceptable timestamp, recomputed once a second (it only grows, so a stale one is stricter). */
function latestIso(): string {
  const now = Date.now();
  if (now >= latest.until) latest = { until: now + 1000, iso: new Date(now + MAX_AHEAD_MS).toISOString() };
  return latest.iso;
}

/**
 * An ISO timestamp from an ISO string, epoch seconds or epoch milliseconds. Absurd values (before 2000,
 * more than a day ahead, unparsable) become `fallback` (default: now), so one bad field cannot reorder an inbox.
 */
export function isoTime(v: unknown, fallback?: string): string {
  if (typeof v === 'string' && CANONICAL_ISO.test(v) && v >= MIN_ISO && v <= latestIso()) return v;
  let ms = NaN;
  if (typeof v === 'number' && Number.isFinite(v)) ms = v < 1e11 ? v * 1000 : v;
  else if (typeof v === 'string' && v.length <= 40)
    ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * (Number(v) < 1e11 ? 1000 : 1) : Date.parse(v);
  if (Number.isNaN(ms) || ms < MIN_TIME || ms > Date.now() + MAX_AHEAD_MS)
    return fallback ?? new Date().toISOString();
  return new Date(ms).toISOString();
}

/** A connector's own cursor handed back by the engine: the JSON object it wrote, or null when absent or damaged. */
export function readCursor<T = Json>(
  cursor: string | null,
  valid: (v: Json) => boolean = () => true,
): T | null {
  if (!cursor) return null;
  try {
    const v: unknown = JSON.parse(cursor);
    return isObj(v) && valid(v) ? (v as T) : null;
  } catch {
    return null;
  }
}
