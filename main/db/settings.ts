// The agent's preferences, one JSON value per key, validated against the contract on the way out.
import type { Sqlite } from './database';
import type { z } from 'zod';
import { Settings } from '../domain/entities';

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

  /**
   * A stored value the contract does not accept (damaged, or written before it was checked) falls back to
   * its own default; the other settings, snippets included, are kept.
   */
  get(): Settings {
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const r of this.s.all.all()) {
      if (!Object.hasOwn(Settings.shape, r.key)) continue;
      const field: z.ZodType = Settings.shape[r.key as keyof Settings];
      const parsed = field.safeParse(parseJson(r.value));
      if (parsed.success) settings[r.key] = parsed.data;
    }
    return settings as Settings;
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
