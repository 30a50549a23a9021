// The main navigation: Inbox, Broadcasts, Flows, Channels, Settings, plus channel health at the bottom.
import type { MouseEvent } from 'react';
import { useLinkStore } from '../api/socket';
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

/**
 * "N/M connected": a polled channel is connected (it syncs), but the detail says how many only poll. While
 * the link to the local service is lost, nothing is known to be connected, so it says that, like the banner.
 */
function ChannelHealth() {
  const channels = useChannels().data?.items ?? [];
  const linkLost = useLinkStore((s) => s.state === 'lost');
  if (!channels.length) return null;
  const polling = channels.filter((c) => c.status === 'polling').length;
  const connected = polling + channels.filter((c) => c.status === 'live').length;
  const troubled = channels.filter((c) => c.status === 'offline' || c.status === 'auth_error').length;
  const notes = [polling && `${polling} by polling`, troubled && `${troubled} with problems`]
    .filter(Boolean)
    .join(', ');
  const text = linkLost ? 'Service unreachable' : `${connected}/${channels.length} connected`;
  const detail = linkLost
    ? 'the local Agent Inbox service does not answer; channel states are unknown until it does'
    : `${connected} of ${channels.length} channels connected${notes ? `: ${notes}` : ''}`;
  return (
    <a
      href="#/channels"
      className={`nav-health${troubled || linkLost ? ' is-bad' : ''}`}
      onClick={(e) => {
        e.preventDefault();
        navigate('channels');
      }}
      title={detail}
    >
      <span className="health-dot" aria-hidden="true" />
      {text}
      <span className="visually-hidden">, {detail}</span>
    </a>
  );
}
