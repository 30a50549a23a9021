// Provider templates (canned replies) cached per channel.
import type { Sqlite } from './database';
import type { RemoteTemplate } from '../domain/remote';

export class TemplatesRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      clear: db.prepare('DELETE FROM templates WHERE channel_id = ?'),
      insert: db.prepare(
        'INSERT OR REPLACE INTO templates (channel_id, external_id, name, text) VALUES (?, ?, ?, ?)',
      ),
      all: db.prepare<[], { channel_id: string; external_id: string; name: string; text: string }>(
        'SELECT * FROM templates ORDER BY name',
      ),
    };
  }

  replaceForChannel(channelId: string, templates: RemoteTemplate[]): void {
    this.db
      .transaction(() => {
        this.s.clear.run(channelId);
        for (const t of templates) this.s.insert.run(channelId, t.externalId, t.name, t.text);
      })
      .immediate();
  }

  all() {
    return this.s.all.all();
  }
}
