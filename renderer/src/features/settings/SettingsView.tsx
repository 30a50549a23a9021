// Preferences: appearance, notifications, the agent's own canned replies and the team hub.
import type { Settings } from '@contract/schemas';
import { ErrorState, SkeletonRows } from '../../app/ui/states';
import { TeamSettings } from '../team/TeamSettings';
import { NotificationSettings } from './NotificationSettings';
import { SnippetsEditor } from './SnippetsEditor';
import { useSaveSettings, useSettings } from './useSettings';

const THEMES: { value: Settings['theme']; label: string }[] = [
  { value: 'system', label: 'Match the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function SettingsView() {
  const settings = useSettings();
  const { save } = useSaveSettings();

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="page-lede">Stored on this computer and applied at once.</p>
        </div>
      </header>
      {settings.isPending && <SkeletonRows count={4} height={80} />}
      {settings.isError && (
        <ErrorState
          what="Settings could not be loaded."
          error={settings.error}
          onRetry={() => void settings.refetch()}
        />
      )}
      {settings.data && (
        <>
          <section className="card form" aria-labelledby="appearance-heading">
            <h2 className="card-title" id="appearance-heading">
              Appearance
            </h2>
            <div className="radio-row" role="radiogroup" aria-label="Theme">
              {THEMES.map((t) => (
                <label key={t.value} className="check">
                  <input
                    type="radio"
                    name="theme"
                    checked={settings.data.theme === t.value}
                    onChange={() => save({ theme: t.value })}
                  />
                  {t.label}
                </label>
              ))}
            </div>
          </section>
          <NotificationSettings settings={settings.data} />
          <SnippetsEditor snippets={settings.data.snippets} />
        </>
      )}
      <TeamSettings />
    </div>
  );
}
