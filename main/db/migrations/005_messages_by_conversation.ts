// Sync writes at a million messages (see test/bench): a provider's message is unique within its conversation,
// no longer looked up by its provider id across the whole channel.
//
// UNIQUE (channel_id, external_id) kept an index in the order of the providers' message ids, which are random
// for most of them (UUIDs). Every message a sync stored landed on its own page of that index, so each commit
// wrote (and the checkpointer copied again) about a 4 KB page per message: some 5 KB of disk writes per message,
// the largest cost of a sync's cache writes. Keyed by conversation first, a batch's messages share a few pages.
// A provider's message never moves to another conversation, so duplicates are caught as before.
//
// Delivery receipts name a message by its provider id alone. The only messages a receipt can still change are
// outgoing ones not yet read: a partial index keeps just those.
//
// SQLite cannot change a table's constraints in place: the table is rebuilt (create, copy, drop, rename) with
// its indexes and triggers; ids are kept, so the full-text rows and the outbox still point at the same messages.
export const up = `
CREATE TABLE messages_new (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  channel_id      TEXT NOT NULL,
  external_id     TEXT,
  direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text            TEXT NOT NULL,
  type            TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  status          TEXT NOT NULL,
  error           TEXT,
  meta            TEXT,
  UNIQUE (conversation_id, external_id)
) STRICT;
INSERT INTO messages_new SELECT id, conversation_id, channel_id, external_id, direction, text, type, created_at, status, error, meta FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);
CREATE INDEX messages_pending_reply ON messages (conversation_id, text) WHERE direction = 'out' AND external_id IS NULL AND status = 'sending';
CREATE INDEX messages_awaiting_receipt ON messages (channel_id, external_id) WHERE direction = 'out' AND status IN ('sent', 'delivered');
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
  UPDATE messages_fts SET text = new.text WHERE rowid = new.id;
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
END;
`;
