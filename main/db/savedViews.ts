// The agent's saved inbox views: a name and the filters it stands for. Filters are read back through the
// contract, so a damaged row shows as a view with no filters instead of breaking the list.
import type { Sqlite } from './database';
import { ViewFilters, type SavedView } from '../contract/schemas';
import { now, parseJson } from './json';

interface ViewRow {
  id: number;
  name: string;
  filters: string;
}

function toView(r: ViewRow): SavedView {
  const filters = ViewFilters.safeParse(parseJson(r.filters, {}));
  return { id: String(r.id), name: r.name, filters: filters.success ? filters.data : {} };
}

export class SavedViewsRepo {
  private readonly s;

  constructor(db: Sqlite) {
    this.s = {
      all: db.prepare<[], ViewRow>('SELECT id, name, filters FROM saved_views ORDER BY id'),
      get: db.prepare<[number], ViewRow>('SELECT id, name, filters FROM saved_views WHERE id = ?'),
      insert: db.prepare<[string, string, string], ViewRow>(
        'INSERT INTO saved_views (name, filters, created_at) VALUES (?, ?, ?) RETURNING id, name, filters',
      ),
      update: db.prepare(
        'UPDATE saved_views SET name = coalesce(@name, name), filters = coalesce(@filters, filters) WHERE id = @id',
      ),
      delete: db.prepare<[number]>('DELETE FROM saved_views WHERE id = ?'),
    };
  }

  list(): SavedView[] {
    return this.s.all.all().map(toView);
  }

  get(id: number): SavedView | null {
    const r = this.s.get.get(id);
    return r ? toView(r) : null;
  }

  create(name: string, filters: ViewFilters): SavedView {
    return toView(this.s.insert.get(name, JSON.stringify(filters), now())!);
  }

  update(id: number, p: { name?: string; filters?: ViewFilters }): SavedView | null {
    this.s.update.run({
      id,
      name: p.name ?? null,
      filters: p.filters ? JSON.stringify(p.filters) : null,
    });
    return this.get(id);
  }

  /** Answers whether there was such a view. */
  delete(id: number): boolean {
    return this.s.delete.run(id).changes > 0;
  }
}
