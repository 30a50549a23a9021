// The window's remembered size and position (and the start-at-login choice) in a small JSON file in
// the user data directory. No Electron import: displays are passed in.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect | null;
  maximized: boolean;
  openAtLogin: boolean;
}

export const DEFAULT_SIZE = { width: 1200, height: 800 };
export const MIN_SIZE = { width: 720, height: 480 };
const DEFAULT_STATE: WindowState = { bounds: null, maximized: false, openAtLogin: false };

export function parseWindowState(json: string): WindowState {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ...DEFAULT_STATE };
  }
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_STATE };
  const r = raw as Record<string, unknown>;
  return {
    bounds: asRect(r.bounds),
    maximized: r.maximized === true,
    openAtLogin: r.openAtLogin === true,
  };
}

function asRect(value: unknown): Rect | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const [x, y, width, height] = [v.x, v.y, v.width, v.height];
  if (![x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  return { x: x as number, y: y as number, width: width as number, height: height as number };
}

/** The remembered bounds if they still fit on one of the current displays' work areas, else null (centre). */
export function visibleBounds(bounds: Rect | null, workAreas: Rect[]): Rect | null {
  if (!bounds) return null;
  const width = Math.max(MIN_SIZE.width, Math.round(bounds.width));
  const height = Math.max(MIN_SIZE.height, Math.round(bounds.height));
  const onScreen = workAreas.some(
    (area) => overlap(area, { ...bounds, width, height }) >= 0.5 * width * height,
  );
  return onScreen ? { x: Math.round(bounds.x), y: Math.round(bounds.y), width, height } : null;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function loadWindowState(path: string): WindowState {
  try {
    return parseWindowState(readFileSync(path, 'utf8'));
  } catch {
    return { ...DEFAULT_STATE };
  }
}

/** Atomic write: a crash mid-save leaves the previous state, never a torn file. */
export function saveWindowState(path: string, state: WindowState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The state file, kept in memory and rewritten on every change. */
export class WindowStateStore {
  private state: WindowState;

  constructor(
    private readonly path: string,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.state = loadWindowState(path);
  }

  get(): WindowState {
    return this.state;
  }

  update(patch: Partial<WindowState>): void {
    this.state = { ...this.state, ...patch };
    try {
      saveWindowState(this.path, this.state);
    } catch (error) {
      this.log.warn({ err: error, file: this.path }, 'could not save the window state');
    }
  }
}
