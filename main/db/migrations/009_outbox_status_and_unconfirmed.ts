// Issue 17, the outbox:
// - A new kind of item, 'status': a conversation the agent resolved or reopened, told to the provider where its
//   document has a way (Assistify's close_conversation).
// - A send whose outcome is unknown (ProviderError 'unconfirmed': it left, and may have reached the customer)
//   is never sent again blindly: `unconfirmed_since` says when it left, `unconfirmed_checks` how many times the
//   provider was asked since (findSent) without showing it. After a few checks the agent decides.
//
// SQLite cannot change a table's CHECK in place: the table is rebuilt (create, copy, drop, rename) with its
// indexes; ids are kept, so messages and broadcast recipients still point at the same items.
export const up = `
CREATE TABLE outbox_new (
  id                 INTEGER PRIMARY KEY,
  kind               TEXT NOT NULL CHECK (kind IN ('reply', 'broadcast', 'flow_toggle', 'status')),
  channel_id         TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  conversation_id    INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
  message_id         INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  payload            TEXT NOT NULL,
  idempotency_key    TEXT NOT NULL UNIQUE,
  status             TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at    TEXT,
  sending_since      TEXT,
  error              TEXT,
  created_at         TEXT NOT NULL,
  unconfirmed_since  TEXT,
  unconfirmed_checks INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO outbox_new (id, kind, channel_id, conversation_id, message_id, payload, idempotency_key, status,
                        attempts, next_attempt_at, sending_since, error, created_at)
  SELECT id, kind, channel_id, conversation_id, message_id, payload, idempotency_key, status,
         attempts, next_attempt_at, sending_since, error, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (status, channel_id, id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_pending_by_conversation ON outbox (conversation_id, id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_by_status ON outbox (status, id);
CREATE INDEX outbox_wake ON outbox (next_attempt_at) WHERE status = 'queued' AND next_attempt_at IS NOT NULL;
CREATE INDEX outbox_failed_replies ON outbox (conversation_id, id) WHERE status = 'failed' AND kind = 'reply';
CREATE INDEX outbox_by_message ON outbox (message_id);
`;
