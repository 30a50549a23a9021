// The window: navigation on the left, the current view, and what floats above (banners, notices,
// command palette, shortcuts).
import { useEffect, type ComponentType } from 'react';
import { BroadcastsView } from '../features/broadcasts/BroadcastsView';
import { ChannelsView } from '../features/channels/ChannelsView';
import { FlowsView } from '../features/flows/FlowsView';
import { InboxView } from '../features/inbox/InboxView';
import { CommandPalette } from '../features/palette/CommandPalette';
import { ShortcutsDialog } from '../features/palette/ShortcutsDialog';
import { focusSearch } from '../features/search/SearchBox';
import { SettingsView } from '../features/settings/SettingsView';
import { useTheme } from '../features/settings/useTheme';
import { useShortcutKeys } from './keyboard';
import { Nav } from './Nav';
import { ConnectionBanner, Notices, ServiceNotices } from './StatusBanners';
import { useUi, type View } from './store';
import { useLiveUpdates } from './useLiveUpdates';
import { useUnreadTitle } from './unreadTitle';
import { useWebAlerts } from './webAlerts';

const VIEW_COMPONENTS: Record<View, ComponentType> = {
  inbox: InboxView,
  broadcasts: BroadcastsView,
  flows: FlowsView,
  channels: ChannelsView,
  settings: SettingsView,
};

export function App() {
  const view = useUi((s) => s.view);
  const paletteOpen = useUi((s) => s.paletteOpen);
  const shortcutsOpen = useUi((s) => s.shortcutsOpen);
  useLiveUpdates();
  useUnreadTitle();
  useWebAlerts();
  useTheme();
  useGlobalKeys();
  const Current = VIEW_COMPONENTS[view];

  return (
    <div className="app">
      <Nav />
      <main className="main">
        <ConnectionBanner />
        <ServiceNotices />
        <Current />
      </main>
      <Notices />
      {paletteOpen && <CommandPalette />}
      {shortcutsOpen && <ShortcutsDialog />}
    </div>
  );
}

/** Ctrl/Cmd+K opens the palette from anywhere; "/" focuses search; "?" lists the shortcuts. */
function useGlobalKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        useUi.setState((s) => ({ paletteOpen: !s.paletteOpen }));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useShortcutKeys((e) => {
    if (e.key === '/') {
      e.preventDefault();
      focusSearch();
    } else if (e.key === '?') {
      e.preventDefault();
      useUi.setState({ shortcutsOpen: true });
    }
  });
}
