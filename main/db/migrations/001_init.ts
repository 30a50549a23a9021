// The first schema: every table of the data model. Rows from providers are keyed (channel_id, external_id).
export const up = `
CREATE TABLE channels (
  id             TEXT PRIMARY KEY,
  provider       TEXT NOT NULL,
  name           TEXT NOT NULL,
  base_url       TEXT NOT NULL,
  credentials    BLOB NOT NULL,
  webhook_secret TEXT NOT NULL,
  paused         INTEGER NOT NULL DEFAULT 0,
  status         TEXT NOT NULL DEFAULT 'connecting',
  error          TEXT,
  last_sync_at   TEXT,
  created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE contacts (
  id          INTEGER PRIMARY KEY,
  channel_id  TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  handle      TEXT NOT NULL,
  platform    TEXT,
  email       TEXT,
  tags        TEXT NOT NULL DEFAULT '[]',
  UNIQUE (channel_id, external_id)
) STRICT;

CREATE TABLE conversations (
  id               INTEGER PRIMARY KEY,
  channel_id       TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id      TEXT NOT NULL,
  contact_id       INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  status           TEXT NOT NULL DEFAULT 'open',
  unread_count     INTEGER NOT NULL DEFAULT 0,
  last_message_id  INTEGER,
  last_activity_at TEXT NOT NULL,
  waiting_since    TEXT,
  snoozed_until    TEXT,
  tags             TEXT NOT NULL DEFAULT '[]',
  meta             TEXT NOT NULL DEFAULT '{}',
  UNIQUE (channel_id, external_id)
) STRICT;
CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_channel ON conversations (channel_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_status ON conversations (status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_channel_status ON conversations (channel_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_unread ON conversations (last_activity_at DESC, id DESC) WHERE unread_count > 0;
CREATE INDEX conversations_waiting ON conversations (waiting_since, id) WHERE waiting_since IS NOT NULL;
CREATE INDEX conversations_contact ON conversations (contact_id);

CREATE TABLE messages (
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
  UNIQUE (channel_id, external_id)
) STRICT;
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);

CREATE VIRTUAL TABLE messages_fts USING fts5(text, contact_name, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, text, contact_name)
  SELECT new.id, new.text, contacts.name
  FROM conversations JOIN contacts ON contacts.id = conversations.contact_id
  WHERE conversations.id = new.conversation_id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
  UPDATE messages_fts SET text = new.text WHERE rowid = new.id;
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
END;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('reply', 'broadcast', 'flow_toggle')),
  channel_id      TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
  message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  payload         TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  sending_since   TEXT,
  error           TEXT,
  created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_pending ON outbox (status, channel_id, id) WHERE status IN ('queued', 'sending');

CREATE TABLE broadcasts (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  text        TEXT NOT NULL,
  audience    TEXT NOT NULL,
  status      TEXT NOT NULL,
  schedule_at TEXT,
  timezone    TEXT,
  error       TEXT,
  external_id TEXT,
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE broadcast_recipients (
  id              INTEGER PRIMARY KEY,
  broadcast_id    INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
  channel_id      TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
  mode            TEXT NOT NULL CHECK (mode IN ('native', 'fanout')),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  outbox_id       INTEGER,
  error           TEXT,
  UNIQUE (broadcast_id, channel_id, conversation_id)
) STRICT;
CREATE INDEX broadcast_recipients_by_outbox ON broadcast_recipients (outbox_id);

CREATE TABLE flows (
  id             INTEGER PRIMARY KEY,
  channel_id     TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id    TEXT NOT NULL,
  name           TEXT NOT NULL,
  description    TEXT,
  active         INTEGER NOT NULL,
  desired_active INTEGER,
  error          TEXT,
  UNIQUE (channel_id, external_id)
) STRICT;

CREATE TABLE templates (
  channel_id  TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  text        TEXT NOT NULL,
  PRIMARY KEY (channel_id, external_id)
) STRICT;

CREATE TABLE sync_state (
  channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  stream     TEXT NOT NULL,
  cursor     TEXT,
  done       INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (channel_id, stream)
) STRICT;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`;
