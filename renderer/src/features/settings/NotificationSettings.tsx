// When and how the app may interrupt: sound, do-not-disturb, quiet hours and per-channel mute.
import { useState } from 'react';
import type { Settings } from '@contract/schemas';
import { fullTime } from '../../app/format';
import { useNow } from '../../app/useNow';
import { useSession } from '../../api/session';
import { useChannels } from '../channels/useChannels';
import { toLocalInput } from '../conversation/SnoozeMenu';
import { useSaveSettings } from './useSettings';

const DEFAULT_QUIET_HOURS = { from: '20:00', to: '08:00' };

export function NotificationSettings({ settings }: { settings: Settings }) {
  const channels = useChannels().data?.items ?? [];
  const now = useNow();
  const dndActive = settings.dndUntil !== null && new Date(settings.dndUntil).getTime() > now;
  const { save } = useSaveSettings();
  const { connection } = useSession();

  return (
    <section className="card form" aria-labelledby="notifications-heading">
      <h2 className="card-title" id="notifications-heading">
        Notifications
      </h2>
      {!connection.bridge && <BrowserPermission />}
      <label className="check">
        <input type="checkbox" checked={settings.sound} onChange={(e) => save({ sound: e.target.checked })} />
        Play a sound for new messages
      </label>

      <div className="field">
        <span>Do not disturb</span>
        <div className="inline-controls">
          <input
            type="datetime-local"
            aria-label="Do not disturb until"
            value={settings.dndUntil ? toLocalInput(new Date(settings.dndUntil)) : ''}
            onChange={(e) => {
              const d = new Date(e.target.value);
              if (!Number.isNaN(d.getTime())) save({ dndUntil: d.toISOString() });
            }}
          />
          <button
            type="button"
            className="btn btn-small"
            onClick={() => save({ dndUntil: new Date(Date.now() + 3_600_000).toISOString() })}
          >
            For 1 hour
          </button>
          {settings.dndUntil && (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => save({ dndUntil: null })}
            >
              Turn off
            </button>
          )}
        </div>
        <small className="muted">
          {dndActive && settings.dndUntil ? `Silent until ${fullTime(settings.dndUntil)}.` : 'Off.'}
        </small>
      </div>

      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={settings.quietHours !== null}
            onChange={(e) => save({ quietHours: e.target.checked ? DEFAULT_QUIET_HOURS : null })}
          />
          Quiet hours every day
        </label>
        {settings.quietHours && (
          <div className="inline-controls">
            <label>
              From{' '}
              <input
                type="time"
                value={settings.quietHours.from}
                onChange={(e) =>
                  e.target.value && save({ quietHours: { ...settings.quietHours!, from: e.target.value } })
                }
              />
            </label>
            <label>
              to{' '}
              <input
                type="time"
                value={settings.quietHours.to}
                onChange={(e) =>
                  e.target.value && save({ quietHours: { ...settings.quietHours!, to: e.target.value } })
                }
              />
            </label>
          </div>
        )}
      </div>

      <div className="field">
        <span>Channels that notify</span>
        {channels.length ? (
          <div className="check-grid">
            {channels.map((c) => {
              const muted = settings.mutedChannels.includes(c.id);
              return (
                <label key={c.id} className="check">
                  <input
                    type="checkbox"
                    checked={!muted}
                    onChange={(e) =>
                      save({
                        mutedChannels: e.target.checked
                          ? settings.mutedChannels.filter((id) => id !== c.id)
                          : [...settings.mutedChannels, c.id],
                      })
                    }
                  />
                  {c.name}
                </label>
              );
            })}
          </div>
        ) : (
          <small className="muted">No channels yet.</small>
        )}
      </div>
    </section>
  );
}

/** In a browser tab: whether the browser lets the app notify, and a way to ask. */
function BrowserPermission() {
  const supported = 'Notification' in window;
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return <p className="muted">This browser cannot show notifications.</p>;
  if (permission === 'granted')
    return <p className="muted">This browser tab shows notifications and counts unread in its title.</p>;
  if (permission === 'denied')
    return (
      <p className="muted">
        The browser blocks notifications for this page; allow them in its site settings. Unread conversations
        still show in the tab title.
      </p>
    );
  return (
    <div className="inline-controls">
      <button
        type="button"
        className="btn btn-small"
        onClick={() => void Notification.requestPermission().then(setPermission)}
      >
        Allow browser notifications
      </button>
      <small className="muted">The app runs in a browser tab, so the browser asks first.</small>
    </div>
  );
}
