// New contacts reach the name search (migration 004's trigram index) a moment after they are stored, not in
// the sync batch that brings them: trigram-indexing a name costs as much as storing its conversation, and a
// first sync brings thousands of contacts. contacts_search_pending lists them until SearchIndex indexes them
// (when writes pause, or before the next search by name). Renames of a contact still waiting are left to that
// step; deleting one must not remove index rows it never had, hence the trigger's condition.
export const up = `
CREATE TABLE contacts_search_pending (contact_id INTEGER PRIMARY KEY) STRICT;
DROP TRIGGER contacts_fts_delete;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, name, handle)
  SELECT 'delete', old.id, old.name, old.handle
  WHERE NOT EXISTS (SELECT 1 FROM contacts_search_pending WHERE contact_id = old.id);
  DELETE FROM contacts_search_pending WHERE contact_id = old.id;
END;
`;
