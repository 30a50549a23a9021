// Customers as the agent sees them: one person's contacts and conversations across channels, the agent's note,
// and the merges and unmerges that correct automatic linking. Each is undone by the other and moves contacts
// only: every conversation stays with its contact. Open windows hear of every conversation whose customer changed.
import type { Store } from '../db';
import type { Customer } from '../contract/schemas';
import { DomainError } from '../domain/errors';
import type { CoreEvents } from '../events';

/** Conversations listed with a customer; conversationCount says how many it has in all. */
const CONVERSATIONS_SHOWN = 100;

export class CustomerService {
  constructor(
    private readonly store: Store,
    private readonly events: CoreEvents,
  ) {}

  get(id: number): Customer {
    const customer = this.existing(id);
    return {
      id: String(id),
      note: customer.note,
      contacts: this.store.customers.contacts(id),
      conversations: this.store.conversations.ofCustomer(id, CONVERSATIONS_SHOWN),
      conversationCount: this.store.customers.conversationIds(id).length,
    };
  }

  setNote(id: number, note: string): Customer {
    this.existing(id);
    this.store.customers.setNote(id, note);
    return this.get(id);
  }

  /** Customer `source`'s contacts join customer `id`. */
  merge(id: number, source: number): Customer {
    this.existing(id);
    if (source === id)
      throw DomainError.unprocessable('same_customer', 'A customer cannot be merged with itself.');
    if (!this.store.customers.get(source))
      throw DomainError.unprocessable(
        'unknown_customer',
        `There is no customer '${source}' to merge: it may have been merged into another one already.`,
      );
    const moved = this.store.customers.conversationIds(source);
    this.store.customers.merge(id, source);
    this.announce(moved);
    return this.get(id);
  }

  /** These contacts of customer `id` leave it for a new customer, which is answered. */
  unmerge(id: number, contactIds: number[]): Customer {
    this.existing(id);
    const own = new Set(this.store.customers.contacts(id).map((c) => Number(c.id)));
    const ids = [...new Set(contactIds)];
    const stranger = ids.find((c) => !own.has(c));
    if (stranger !== undefined)
      throw DomainError.unprocessable(
        'not_its_contact',
        `Contact '${stranger}' is not one of this customer's contacts.`,
      );
    if (ids.length === own.size)
      throw DomainError.unprocessable(
        'every_contact',
        own.size === 1
          ? 'This is the customer’s only contact: there is nothing to unmerge it from.'
          : 'These are all of the customer’s contacts: keep at least one with it.',
      );
    const to = this.store.customers.unmerge(id, ids);
    this.announce(this.store.customers.conversationIds(to));
    return this.get(to);
  }

  private existing(id: number) {
    const customer = this.store.customers.get(id);
    if (!customer) throw DomainError.notFound('customer', String(id));
    return customer;
  }

  /** These conversations now belong to another customer: open windows update their links. */
  private announce(conversationIds: number[]): void {
    for (const id of conversationIds) {
      const c = this.store.conversations.get(id);
      if (c) this.events.emit('conversation.updated', c);
    }
  }
}
