import { describe, expect, it } from 'vitest';
import {
  buildTrayModel,
  dndUntilFor,
  DND_TOMORROW_HOUR,
  type MenuItemDescriptor,
  type TrayAction,
  type TrayState,
} from '../../main/notifications/tray';

const NOW = new Date(2025, 5, 2, 14, 0).getTime();
const state = (over: Partial<TrayState> = {}): TrayState => ({
  unread: 0,
  queued: 0,
  dndUntil: null,
  paused: false,
  openAtLogin: null,
  now: NOW,
  ...over,
});

const flatten = (items: MenuItemDescriptor[]): MenuItemDescriptor[] =>
  items.flatMap((i) => (i.type === 'submenu' ? [i, ...flatten(i.items)] : [i]));
const labels = (items: MenuItemDescriptor[]) =>
  flatten(items).flatMap((i) => ('label' in i ? [i.label] : []));
const item = (items: MenuItemDescriptor[], label: string | RegExp) =>
  flatten(items).find(
    (i) => 'label' in i && (typeof label === 'string' ? i.label === label : label.test(i.label)),
  );

describe('buildTrayModel', () => {
  it('shows the plain icon, no badge and zero counts when all is read', () => {
    const model = buildTrayModel(state());
    expect(model.icon).toBe('tray');
    expect(model.badgeCount).toBe(0);
    expect(model.tooltip).toBe('Agent Inbox: no unread messages');
    expect(labels(model.items)).toEqual([
      'Open Agent Inbox',
      'No unread messages',
      'No queued replies',
      'Do not disturb',
      'For 1 hour',
      'Until tomorrow, 08:00',
      'Off',
      'Pause sync',
      'Quit Agent Inbox',
    ]);
  });

  it('shows the unread icon, the badge and the counts as disabled items', () => {
    const model = buildTrayModel(state({ unread: 3, queued: 2 }));
    expect(model.icon).toBe('tray-unread');
    expect(model.badgeCount).toBe(3);
    expect(model.tooltip).toBe('Agent Inbox: 3 unread, 2 queued');
    expect(item(model.items, 'Unread: 3')).toEqual({ type: 'normal', label: 'Unread: 3', enabled: false });
    expect(item(model.items, 'Queued replies: 2')).toEqual({
      type: 'normal',
      label: 'Queued replies: 2',
      enabled: false,
    });
  });

  it('sanitises counts it cannot display', () => {
    const model = buildTrayModel(state({ unread: -4, queued: 2.7 }));
    expect(model.badgeCount).toBe(0);
    expect(model.icon).toBe('tray');
    expect(item(model.items, 'Queued replies: 2')).toBeDefined();
  });

  it('shows do-not-disturb with its end time and enables Off only while active', () => {
    const off = buildTrayModel(state());
    expect(item(off.items, 'Off')).toMatchObject({ enabled: false, action: 'dnd-off' });

    const until = new Date(2025, 5, 2, 15, 30).toISOString();
    const on = buildTrayModel(state({ dndUntil: until }));
    expect(item(on.items, /^Do not disturb/)).toMatchObject({
      type: 'submenu',
      label: 'Do not disturb (until 15:30)',
    });
    expect(item(on.items, 'Off')).toMatchObject({ enabled: true, action: 'dnd-off' });
    expect(on.tooltip).toContain('do not disturb');

    const tomorrow = buildTrayModel(state({ dndUntil: dndUntilFor('dnd-tomorrow', NOW) }));
    expect(item(tomorrow.items, /^Do not disturb/)).toMatchObject({
      label: 'Do not disturb (until tomorrow 08:00)',
    });

    const later = buildTrayModel(state({ dndUntil: new Date(2025, 5, 9, 9, 5).toISOString() }));
    expect(item(later.items, /^Do not disturb/)).toMatchObject({
      label: 'Do not disturb (until 2025-06-09 09:05)',
    });
  });

  it('treats a lapsed do-not-disturb as off', () => {
    const model = buildTrayModel(state({ dndUntil: new Date(NOW - 1).toISOString() }));
    expect(item(model.items, /^Do not disturb/)).toMatchObject({ label: 'Do not disturb' });
    expect(model.tooltip).not.toContain('do not disturb');
  });

  it('checks Pause sync while paused', () => {
    expect(item(buildTrayModel(state()).items, 'Pause sync')).toMatchObject({
      type: 'checkbox',
      checked: false,
    });
    const paused = buildTrayModel(state({ paused: true }));
    expect(item(paused.items, 'Pause sync')).toMatchObject({
      type: 'checkbox',
      checked: true,
      action: 'toggle-pause',
    });
    expect(paused.tooltip).toContain('sync paused');
  });

  it('offers Start at login only where the platform has login items', () => {
    expect(item(buildTrayModel(state({ openAtLogin: null })).items, 'Start at login')).toBeUndefined();
    expect(item(buildTrayModel(state({ openAtLogin: true })).items, 'Start at login')).toEqual({
      type: 'checkbox',
      label: 'Start at login',
      checked: true,
      action: 'toggle-login',
    });
  });

  it('gives every clickable item an action and starts with Open, ends with Quit', () => {
    const model = buildTrayModel(state({ unread: 1, openAtLogin: false }));
    const actions = flatten(model.items).flatMap((i) => ('action' in i && i.action ? [i.action] : []));
    const all: TrayAction[] = [
      'open',
      'dnd-1h',
      'dnd-tomorrow',
      'dnd-off',
      'toggle-pause',
      'toggle-login',
      'quit',
    ];
    expect(actions.sort()).toEqual([...all].sort());
    expect(model.items[0]).toMatchObject({ action: 'open' });
    expect(model.items.at(-1)).toMatchObject({ action: 'quit' });
  });
});

describe('dndUntilFor', () => {
  it('lasts one hour', () => {
    expect(Date.parse(dndUntilFor('dnd-1h', NOW)) - NOW).toBe(60 * 60 * 1000);
  });

  it('lasts until tomorrow morning, also across the end of a month', () => {
    const until = new Date(dndUntilFor('dnd-tomorrow', NOW));
    expect([until.getDate(), until.getHours(), until.getMinutes()]).toEqual([3, DND_TOMORROW_HOUR, 0]);
    const lastOfMonth = new Date(dndUntilFor('dnd-tomorrow', new Date(2025, 0, 31, 23, 59).getTime()));
    expect([lastOfMonth.getMonth(), lastOfMonth.getDate(), lastOfMonth.getHours()]).toEqual([
      1,
      1,
      DND_TOMORROW_HOUR,
    ]);
  });
});
