// Chatbot flows as last seen at each provider, plus a toggle the agent asked for that has not applied yet.
import type { Sqlite } from './database';
import type { RemoteFlow } from '../domain/remote';

export interface FlowRow {
  id: number;
  channel_id: string;
  external_id: string;
  name: string;
  description: string | null;
  active: number;
  desired_active: number | null;
  error: string | null;
}

export class FlowsRepo {
  private readonly s;

  constructor(private readonly db: Sqlite) {
    this.s = {
      upsert: db.prepare(
        `INSERT INTO flows (channel_id, external_id, name, description, active)
         VALUES (@channelId, @externalId, @name, @description, @active)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET
           name = excluded.name, description = excluded.description, active = excluded.active`,
      ),
      removeMissing: db.prepare(
        `DELETE FROM flows WHERE channel_id = ? AND external_id NOT IN (SELECT value FROM json_each(?))`,
      ),
      list: db.prepare<[{ channel: string | null }], FlowRow>(
        `SELECT * FROM flows WHERE @channel IS NULL OR channel_id = @channel ORDER BY channel_id, name`,
      ),
      get: db.prepare<[number], FlowRow>('SELECT * FROM flows WHERE id = ?'),
      desire: db.prepare('UPDATE flows SET desired_active = ?, error = ? WHERE id = ?'),
      applied: db.prepare('UPDATE flows SET active = ?, desired_active = NULL, error = ? WHERE id = ?'),
    };
  }

  /** Replace a channel's flows with what the provider listed. */
  replaceForChannel(channelId: string, flows: RemoteFlow[]): void {
    this.db
      .transaction(() => {
        for (const f of flows) this.upsertOne(channelId, f);
        this.s.removeMissing.run(channelId, JSON.stringify(flows.map((f) => f.externalId)));
      })
      .immediate();
  }

  upsertOne(channelId: string, f: RemoteFlow): void {
    this.s.upsert.run({
      channelId,
      externalId: f.externalId,
      name: f.name,
      description: f.description ?? null,
      active: Number(f.active),
    });
  }

  list(channelId: string | null): FlowRow[] {
    return this.s.list.all({ channel: channelId });
  }

  get(id: number): FlowRow | undefined {
    return this.s.get.get(id);
  }

  setDesired(id: number, active: boolean | null, error: string | null = null): void {
    this.s.desire.run(active === null ? null : Number(active), error, id);
  }

  setApplied(id: number, active: boolean, error: string | null = null): void {
    this.s.applied.run(Number(active), error, id);
  }
}
