// The main navigation: Inbox, Broadcasts, Flows, Channels, Settings, plus channel health at the bottom.
import type { MouseEvent } from 'react';
import { useChannels } from '../features/channels/useChannels';
import { navigate, useUi, VIEWS, type View } from './store';

const ITEMS: Record<View, { label: string; icon: string }> = {
  inbox: { label: 'Inbox', icon: '▤' },
  broadcasts: { label: 'Broadcasts', icon: '◉' },
  flows: { label: 'Flows', icon: '⇄' },
  channels: { label: 'Channels', icon: '⌁' },
  settings: { label: 'Settings', icon: '⚙' },
};

export function Nav() {
  const view = useUi((s) => s.view);
  const go = (v: View) => (e: MouseEvent) => {
    e.preventDefault();
    navigate(v);
  };
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">AI</span>
        <span className="brand-name">Agent Inbox</span>
      </div>
      <ul>
        {VIEWS.map((v) => (
          <li key={v}>
            <a
              href={`#/${v}`}
              className="nav-item"
              aria-current={view === v ? 'page' : undefined}
              onClick={go(v)}
            >
              <span className="nav-icon" aria-hidden="true">
                {ITEMS[v].icon}
              </span>
              {ITEMS[v].label}
            </a>
          </li>
        ))}
      </ul>
      <ChannelHealth />
    </nav>
  );
}

function ChannelHealth() {
  const channels = useChannels().data?.items ?? [];
  if (!channels.length) return null;
  const live = channels.filter((c) => c.status === 'live' || c.status === 'polling').length;
  const troubled = channels.filter((c) => c.status === 'offline' || c.status === 'auth_error').length;
  return (
    <a
      href="#/channels"
      className={`nav-health${troubled ? ' is-bad' : ''}`}
      onClick={(e) => {
        e.preventDefault();
        navigate('channels');
      }}
      aria-label={`Channel health: ${live} of ${channels.length} connected${troubled ? `, ${troubled} with problems` : ''}`}
    >
      <span className="health-dot" aria-hidden="true" />
      {live}/{channels.length} connected
    </a>
  );
}
