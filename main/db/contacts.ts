// Contacts, as providers describe them: one row per channel and provider id, its name index kept in step, each in
// a customer (a new one, or that of a contact it shares an email, phone or handle with: see customers.ts).
import type { CustomersRepo } from './customers';
import type { Sqlite } from './database';
import type { SearchIndex } from './searchIndex';
import type { RemoteContact } from '../domain/remote';

export class ContactsRepo {
  private readonly s;

  constructor(
    db: Sqlite,
    private readonly searchIndex: SearchIndex,
    private readonly customers: CustomersRepo,
  ) {
    this.s = {
      upsert: db.prepare(
        `INSERT INTO contacts (channel_id, external_id, name, handle, platform, email, tags, customer_id)
         VALUES (@channelId, @externalId, @name, @handle, @platform, @email, @tags, @customerId)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET
           name = excluded.name, handle = excluded.handle, platform = coalesce(excluded.platform, platform),
           email = coalesce(excluded.email, email), tags = excluded.tags
         WHERE name IS NOT excluded.name OR handle IS NOT excluded.handle
           OR platform IS NOT coalesce(excluded.platform, platform) OR email IS NOT coalesce(excluded.email, email)
           OR tags IS NOT excluded.tags
         RETURNING id`,
      ),
      before: db.prepare<[string, string], { id: number; name: string; handle: string }>(
        'SELECT id, name, handle FROM contacts WHERE channel_id = ? AND external_id = ?',
      ),
    };
  }

  /** Store the provider's view of a contact; its local id. Unchanged contacts are not rewritten. */
  upsert(channelId: string, c: RemoteContact): number {
    const before = this.s.before.get(channelId, c.externalId);
    // Linking costs a few indexed lookups per new contact; a known one costs nothing unless the provider changed it.
    const keys = before ? null : this.customers.keysFor(channelId, c);
    const contact = this.s.upsert.get({
      channelId,
      externalId: c.externalId,
      name: c.name,
      handle: c.handle,
      platform: c.platform ?? null,
      email: c.email ?? null,
      tags: JSON.stringify(c.tags),
      customerId: keys ? this.customers.customerForNew(keys) : null,
    }) as { id: number } | undefined;
    // No row back: the contact exists and nothing about it changed (the upsert wrote nothing).
    const id = contact?.id ?? before!.id;
    if (keys) {
      this.searchIndex.deferContact(id);
      this.customers.addKeys(id, keys);
      return id;
    }
    if (before!.name !== c.name || before!.handle !== c.handle)
      this.searchIndex.renameContact(before!, c.name, c.handle);
    if (contact) this.customers.rekey(channelId, id, c);
    return id;
  }
}
