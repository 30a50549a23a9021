// Customers: the contacts on several channels that are one person. A new contact joins the customer of the first
// stored contact it shares a key with (domain/identity.ts), or one of its own; the agent merges and unmerges, and
// linking never moves a contact the agent placed. Each customer carries the agent's note, never sent anywhere.
import type { Sqlite } from './database';
import { parseJson } from './json';
import { identityKeys } from '../domain/identity';
import type { Contact, ProviderId } from '../domain/entities';
import type { RemoteContact } from '../domain/remote';

export interface CustomerContact extends Contact {
  channelId: string;
  provider: ProviderId;
  /** The agent merged or unmerged it: linking leaves it where it is. */
  placedByAgent: boolean;
}

interface ContactRow {
  id: number;
  channel_id: string;
  provider: ProviderId;
  name: string;
  handle: string;
  platform: string | null;
  email: string | null;
  tags: string;
  customer_by_agent: number;
}

interface StoredContact {
  id: number;
  channel_id: string;
  external_id: string;
  name: string;
  handle: string;
  platform: string | null;
  email: string | null;
}

/** Contacts stored before customers existed, keyed and linked per transaction when the store opens. */
const LINKED_PER_STEP = 500;

const asContact = (c: StoredContact) => ({
  externalId: c.external_id,
  name: c.name,
  handle: c.handle,
  platform: c.platform ?? undefined,
  email: c.email ?? undefined,
});

export class CustomersRepo {
  private readonly s;
  /** A channel's provider never changes: looked up once per channel, not per contact. */
  private readonly providers = new Map<string, ProviderId>();

  constructor(private readonly db: Sqlite) {
    this.s = {
      provider: db.prepare<[string], ProviderId>('SELECT provider FROM channels WHERE id = ?').pluck(),
      // The oldest customer holding a contact with this key, other than `customer` (null: any).
      customerByKey: db
        .prepare<[string, number | null], number>(
          `SELECT c.customer_id FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
           WHERE k.key = ? AND c.customer_id IS NOT ? ORDER BY c.customer_id LIMIT 1`,
        )
        .pluck(),
      create: db.prepare<[string]>('INSERT INTO customers (note) VALUES (?)'),
      addKey: db.prepare<[string, number]>(
        'INSERT OR IGNORE INTO contact_keys (key, contact_id) VALUES (?, ?)',
      ),
      keysOf: db.prepare<[number], string>('SELECT key FROM contact_keys WHERE contact_id = ?').pluck(),
      dropKeys: db.prepare<[number]>('DELETE FROM contact_keys WHERE contact_id = ?'),
      // A contact linking may still move: alone in its customer, no note there, never placed by the agent.
      movable: db
        .prepare<[number], number>(
          `SELECT c.customer_id FROM contacts c JOIN customers u ON u.id = c.customer_id
           WHERE c.id = ? AND c.customer_by_agent = 0 AND u.note = ''
             AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.customer_id = c.customer_id AND o.id <> c.id)`,
        )
        .pluck(),
      setCustomer: db.prepare<[number, number]>('UPDATE contacts SET customer_id = ? WHERE id = ?'),
      delete: db.prepare<[number]>('DELETE FROM customers WHERE id = ?'),
      unlinked: db.prepare<[number], StoredContact>(
        `SELECT id, channel_id, external_id, name, handle, platform, email FROM contacts
         WHERE customer_id IS NULL ORDER BY id LIMIT ?`,
      ),
      get: db.prepare<[number], { id: number; note: string }>('SELECT id, note FROM customers WHERE id = ?'),
      contacts: db.prepare<[number], ContactRow>(
        `SELECT c.id, c.channel_id, ch.provider, c.name, c.handle, c.platform, c.email, c.tags, c.customer_by_agent
         FROM contacts c JOIN channels ch ON ch.id = c.channel_id WHERE c.customer_id = ? ORDER BY c.id`,
      ),
      customerOf: db.prepare<[number], number>('SELECT customer_id FROM contacts WHERE id = ?').pluck(),
      setNote: db.prepare<[string, number]>('UPDATE customers SET note = ? WHERE id = ?'),
      appendNote: db.prepare<{ target: number; source: number }>(
        `UPDATE customers SET note = CASE
           WHEN note = '' THEN (SELECT note FROM customers WHERE id = @source)
           WHEN (SELECT note FROM customers WHERE id = @source) IN ('', note) THEN note
           ELSE note || char(10) || char(10) || (SELECT note FROM customers WHERE id = @source) END
         WHERE id = @target`,
      ),
      placeAll: db.prepare<{ target: number; source: number }>(
        'UPDATE contacts SET customer_id = @target, customer_by_agent = 1 WHERE customer_id IN (@target, @source)',
      ),
      moveOut: db.prepare<{ from: number; to: number; ids: string }>(
        `UPDATE contacts SET customer_id = @to
         WHERE customer_id = @from AND id IN (SELECT value FROM json_each(@ids))`,
      ),
      markPlaced: db.prepare<{ a: number; b: number }>(
        'UPDATE contacts SET customer_by_agent = 1 WHERE customer_id IN (@a, @b)',
      ),
      conversationIds: db
        .prepare<[number], number>(
          `SELECT v.id FROM contacts c JOIN conversations v ON v.contact_id = c.id WHERE c.customer_id = ?`,
        )
        .pluck(),
    };
  }

  /** The keys a contact of this channel is recognised by. */
  keysFor(channelId: string, c: Parameters<typeof identityKeys>[1]): string[] {
    let provider = this.providers.get(channelId);
    if (provider === undefined) {
      provider = this.s.provider.get(channelId)!;
      this.providers.set(channelId, provider);
    }
    return identityKeys(provider, c);
  }

  /**
   * The customer a new contact joins: that of the first stored contact sharing one of its keys (strongest key
   * first), else a new one. Never merges two customers: the agent may have unmerged them.
   */
  customerForNew(keys: string[]): number {
    for (const key of keys) {
      const found = this.s.customerByKey.get(key, null);
      if (found !== undefined) return found;
    }
    return Number(this.s.create.run('').lastInsertRowid);
  }

  /** Remember a new contact's keys, so the contacts after it find it. */
  addKeys(contactId: number, keys: string[]): void {
    for (const key of keys) this.s.addKey.run(key, contactId);
  }

  /**
   * A stored contact the provider describes differently (an email given at last): new keys are kept and, if it is
   * still alone, untouched by the agent, it joins the customer of a contact sharing one.
   */
  rekey(channelId: string, contactId: number, c: RemoteContact): void {
    const keys = this.keysFor(channelId, c);
    const stored = this.s.keysOf.all(contactId);
    if (keys.length === stored.length && keys.every((k) => stored.includes(k))) return;
    this.s.dropKeys.run(contactId);
    this.addKeys(contactId, keys);
    const own = this.s.movable.get(contactId);
    if (own === undefined) return;
    for (const key of keys) {
      const found = this.s.customerByKey.get(key, own);
      if (found === undefined) continue;
      this.s.setCustomer.run(found, contactId);
      this.s.delete.run(own);
      return;
    }
  }

  /** Key and link the contacts stored before customers existed (migration 012); nothing to do after that. */
  linkStored(): void {
    for (;;) {
      const batch = this.db
        .transaction(() => {
          const rows = this.s.unlinked.all(LINKED_PER_STEP);
          for (const c of rows) {
            const keys = this.keysFor(c.channel_id, asContact(c));
            this.s.setCustomer.run(this.customerForNew(keys), c.id);
            this.addKeys(c.id, keys);
          }
          return rows.length;
        })
        .immediate();
      if (batch < LINKED_PER_STEP) return;
    }
  }

  get(id: number): { id: number; note: string } | undefined {
    return this.s.get.get(id);
  }

  /** The customer's contacts, oldest first, with their channel. */
  contacts(customerId: number): CustomerContact[] {
    return this.s.contacts.all(customerId).map((r) => ({
      id: String(r.id),
      name: r.name,
      handle: r.handle,
      tags: parseJson<string[]>(r.tags, []),
      ...(r.platform ? { platform: r.platform } : {}),
      ...(r.email ? { email: r.email } : {}),
      channelId: r.channel_id,
      provider: r.provider,
      placedByAgent: r.customer_by_agent === 1,
    }));
  }

  customerOf(contactId: number): number | undefined {
    return this.s.customerOf.get(contactId) ?? undefined;
  }

  /** The ids of the conversations of a customer's contacts. */
  conversationIds(customerId: number): number[] {
    return this.s.conversationIds.all(customerId);
  }

  setNote(id: number, note: string): void {
    this.s.setNote.run(note, id);
  }

  /**
   * `source`'s contacts join `target`, all of them then placed by the agent; `source` goes, its note added to the
   * target's. Both must exist and differ.
   */
  merge(target: number, source: number): void {
    this.db
      .transaction(() => {
        this.s.appendNote.run({ target, source });
        this.s.placeAll.run({ target, source });
        this.s.delete.run(source);
      })
      .immediate();
  }

  /**
   * These contacts of `from` (some, not all) leave it for a new customer, whose id is returned; the contacts on both
   * sides are then placed by the agent, so linking never puts them back together.
   */
  unmerge(from: number, contactIds: number[]): number {
    return this.db
      .transaction(() => {
        const to = Number(this.s.create.run('').lastInsertRowid);
        this.s.moveOut.run({ from, to, ids: JSON.stringify(contactIds) });
        this.s.markPlaced.run({ a: from, b: to });
        return to;
      })
      .immediate();
  }
}
