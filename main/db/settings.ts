// The agent's preferences, one JSON value per key, validated against the contract on the way out.
import type { Sqlite } from './database';
import { Settings } from '../contract/schemas';

export const DEFAULT_SETTINGS: Settings = {
  theme: 'system',
  sound: true,
  dndUntil: null,
  quietHours: null,
  mutedChannels: [],
  snippets: [
    { name: 'greeting', text: 'Hi! Thanks for reaching out — how can I help?' },
    { name: 'thanks', text: 'Thank you for your patience!' },
  ],
};

export class SettingsRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      all: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings'),
      set: db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  get(): Settings {
    const stored: Record<string, unknown> = {};
    for (const r of this.s.all.all()) {
      try {
        stored[r.key] = JSON.parse(r.value);
      } catch {
        /* a damaged value falls back to its default */
      }
    }
    const parsed = Settings.safeParse({ ...DEFAULT_SETTINGS, ...stored });
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  patch(p: Partial<Settings>): Settings {
    this.db
      .transaction(() => {
        for (const [k, v] of Object.entries(p)) if (v !== undefined) this.s.set.run(k, JSON.stringify(v));
      })
      .immediate();
    return this.get();
  }
}
