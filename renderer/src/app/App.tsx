// The window: navigation on the left, the current view, and what floats above (banners, notices,
// command palette, shortcuts).
import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { InboxView } from '../features/inbox/InboxView';
import { focusSearch } from '../features/search/SearchBox';
import { useTheme } from '../features/settings/useTheme';
import { useShortcutKeys } from './keyboard';
import { SkeletonRows } from './ui/states';
import { Nav } from './Nav';
import { ConnectionBanner, Notices, ServiceNotices } from './StatusBanners';
import { useUi, type View } from './store';
import { useLiveUpdates } from './useLiveUpdates';
import { useUnreadTitle } from './unreadTitle';
import { useWebAlerts } from './webAlerts';

// The inbox is in the first bundle; the other views load when first opened (a chunk each), so the inbox
// paints without parsing code it does not use.
const VIEW_COMPONENTS: Record<View, ComponentType> = {
  inbox: InboxView,
  broadcasts: lazy(() =>
    import('../features/broadcasts/BroadcastsView').then((m) => ({ default: m.BroadcastsView })),
  ),
  flows: lazy(() => import('../features/flows/FlowsView').then((m) => ({ default: m.FlowsView }))),
  channels: lazy(() =>
    import('../features/channels/ChannelsView').then((m) => ({ default: m.ChannelsView })),
  ),
  settings: lazy(() =>
    import('../features/settings/SettingsView').then((m) => ({ default: m.SettingsView })),
  ),
};

// Opened by a key press, never needed for the first paint.
const CommandPalette = lazy(() =>
  import('../features/palette/CommandPalette').then((m) => ({ default: m.CommandPalette })),
);
const ShortcutsDialog = lazy(() =>
  import('../features/palette/ShortcutsDialog').then((m) => ({ default: m.ShortcutsDialog })),
);

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
        <Suspense fallback={<SkeletonRows count={4} height={96} />}>
          <Current />
        </Suspense>
      </main>
      <Notices />
      <Suspense fallback={null}>
        {paletteOpen && <CommandPalette />}
        {shortcutsOpen && <ShortcutsDialog />}
      </Suspense>
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
