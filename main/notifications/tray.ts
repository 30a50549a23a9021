// The tray icon, tooltip, badge and menu as plain data. The shell renders this model with Electron's
// Tray and Menu and maps each item's `action` to a handler; every choice of what to show is made here.
import { isDndActive } from '../contract/notificationPolicy';

export interface TrayState {
  unread: number;
  queued: number;
  dndUntil: string | null;
  paused: boolean;
  /** null where the platform has no login items (Linux). */
  openAtLogin: boolean | null;
  now: number;
}

export type TrayAction =
  'open' | 'dnd-1h' | 'dnd-tomorrow' | 'dnd-off' | 'toggle-pause' | 'toggle-login' | 'quit';

export type MenuItemDescriptor =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'checkbox'; label: string; checked: boolean; action: TrayAction }
  | { type: 'submenu'; label: string; items: MenuItemDescriptor[] };

export type TrayIcon = 'tray' | 'tray-unread';

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  badgeCount: number;
  items: MenuItemDescriptor[];
}

/** "Until tomorrow" ends at this local hour. */
export const DND_TOMORROW_HOUR = 8;

const SEPARATOR: MenuItemDescriptor = { type: 'separator' };

export function buildTrayModel(state: TrayState): TrayModel {
  const unread = Math.max(0, Math.floor(state.unread));
  const queued = Math.max(0, Math.floor(state.queued));
  const dndActive = isDndActive(state.dndUntil, state.now);

  const dndMenu: MenuItemDescriptor = {
    type: 'submenu',
    label:
      dndActive && state.dndUntil
        ? `Do not disturb (until ${formatUntil(state.dndUntil, state.now)})`
        : 'Do not disturb',
    items: [
      { type: 'normal', label: 'For 1 hour', enabled: true, action: 'dnd-1h' },
      {
        type: 'normal',
        label: `Until tomorrow, ${pad(DND_TOMORROW_HOUR)}:00`,
        enabled: true,
        action: 'dnd-tomorrow',
      },
      { type: 'normal', label: 'Off', enabled: dndActive, action: 'dnd-off' },
    ],
  };
  const items: MenuItemDescriptor[] = [
    { type: 'normal', label: 'Open Agent Inbox', enabled: true, action: 'open' },
    SEPARATOR,
    { type: 'normal', label: unread === 0 ? 'No unread messages' : `Unread: ${unread}`, enabled: false },
    {
      type: 'normal',
      label: queued === 0 ? 'No queued replies' : `Queued replies: ${queued}`,
      enabled: false,
    },
    SEPARATOR,
    dndMenu,
    { type: 'checkbox', label: 'Pause sync', checked: state.paused, action: 'toggle-pause' },
  ];
  if (state.openAtLogin !== null) {
    items.push({
      type: 'checkbox',
      label: 'Start at login',
      checked: state.openAtLogin,
      action: 'toggle-login',
    });
  }
  items.push(SEPARATOR, { type: 'normal', label: 'Quit Agent Inbox', enabled: true, action: 'quit' });

  return {
    icon: unread > 0 ? 'tray-unread' : 'tray',
    tooltip: tooltip(unread, queued, dndActive, state.paused),
    badgeCount: unread,
    items,
  };
}

function tooltip(unread: number, queued: number, dnd: boolean, paused: boolean): string {
  const parts = [unread === 0 ? 'no unread messages' : `${unread} unread`];
  if (queued > 0) parts.push(`${queued} queued`);
  if (dnd) parts.push('do not disturb');
  if (paused) parts.push('sync paused');
  return `Agent Inbox: ${parts.join(', ')}`;
}

/** The ISO time a do-not-disturb choice lasts until. */
export function dndUntilFor(choice: 'dnd-1h' | 'dnd-tomorrow', now: number): string {
  if (choice === 'dnd-1h') return new Date(now + 60 * 60 * 1000).toISOString();
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(DND_TOMORROW_HOUR, 0, 0, 0);
  return tomorrow.toISOString();
}

/** Local "HH:MM", with "tomorrow" or the date when not today. */
function formatUntil(iso: string, now: number): string {
  const until = new Date(iso);
  const time = `${pad(until.getHours())}:${pad(until.getMinutes())}`;
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (until.toDateString() === new Date(now).toDateString()) return time;
  if (until.toDateString() === tomorrow.toDateString()) return `tomorrow ${time}`;
  return `${until.getFullYear()}-${pad(until.getMonth() + 1)}-${pad(until.getDate())} ${time}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
