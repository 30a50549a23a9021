// Customers (issue 21, item 6): one person behind contacts on several channels.
// - `customers` holds the agent's local note; every contact belongs to exactly one customer (`contacts.customer_id`),
//   alone in it until linked or merged. A customer left without contacts (its channel removed) goes with them.
// - `contact_keys` holds the identifiers a contact is recognised by (domain/identity.ts): a new contact joins the
//   customer of the first contact sharing one. Rows of contacts stored before this version are keyed and linked by
//   CustomersRepo when the store opens (the normalising is TypeScript, not SQL).
// - `customer_by_agent` remembers that the agent merged or unmerged the contact: linking never moves it again.
export const up = `
CREATE TABLE customers (
  id   INTEGER PRIMARY KEY,
  note TEXT NOT NULL DEFAULT ''
) STRICT;

ALTER TABLE contacts ADD COLUMN customer_id INTEGER REFERENCES customers(id);
ALTER TABLE contacts ADD COLUMN customer_by_agent INTEGER NOT NULL DEFAULT 0;
CREATE INDEX contacts_by_customer ON contacts (customer_id);

CREATE TABLE contact_keys (
  key        TEXT NOT NULL,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  PRIMARY KEY (key, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_keys_by_contact ON contact_keys (contact_id);

CREATE TRIGGER customers_without_contacts AFTER DELETE ON contacts
WHEN old.customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts WHERE customer_id = old.customer_id)
BEGIN
  DELETE FROM customers WHERE id = old.customer_id;
END;
`;
