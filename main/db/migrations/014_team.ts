// Issue 20, team mode: the desktop's cache filled from a team hub.
// - The hub's channels are mirrored as channel rows (hub_view: the hub's view of it, JSON; NULL for the
//   desktop's own channels), so the hub's conversations and messages are stored as any channel's are: their
//   external_id is the hub's id (conversation, contact, message), which is how a feed change finds its row.
// - conversations.assignee_id: the hub agent the conversation is assigned to (NULL in solo mode, or unassigned).
// - team: the one hub this desktop is signed in to, its session token (sealed by the SecretBox, never the
//   password) and the feed cursor, stored in the transaction that applies the changes up to it.
// - team_agents: the team as the hub's feed describes it. team_notes: internal notes (op_id while the note is
//   the desktop's own and not yet seen in the feed, hub_id once it is).
// - team_ops: the upload queue; every team write is stored here first, with its client id, and uploaded in
//   order. Its outcome stays on the row ('conflict' and 'rejected' with why).
export const up = `
ALTER TABLE channels ADD COLUMN hub_view TEXT;
ALTER TABLE conversations ADD COLUMN assignee_id TEXT;

CREATE TABLE team (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  hub_url         TEXT NOT NULL,
  agent           TEXT NOT NULL,
  token           BLOB NOT NULL,
  cursor          INTEGER,
  snapshot_cursor TEXT,
  created_at      TEXT NOT NULL
) STRICT;

-- A hub conversation id → its local row (messages and notes in the feed name only the conversation's hub id).
CREATE TABLE team_conversations (
  hub_id          TEXT PRIMARY KEY,
  conversation_id INTEGER NOT NULL UNIQUE REFERENCES conversations(id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE team_agents (
  id     TEXT PRIMARY KEY,
  email  TEXT NOT NULL,
  name   TEXT NOT NULL,
  role   TEXT NOT NULL,
  active INTEGER NOT NULL
) STRICT;

CREATE TABLE team_notes (
  id              INTEGER PRIMARY KEY,
  hub_id          TEXT UNIQUE,
  op_id           TEXT UNIQUE,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  author_id       TEXT,
  text            TEXT NOT NULL,
  created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX team_notes_by_conversation ON team_notes (conversation_id, created_at, id);

CREATE TABLE team_ops (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL CHECK (kind IN ('reply', 'status', 'assign', 'tags', 'snooze', 'note', 'read')),
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  message_id      INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  body            TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'applied', 'duplicate', 'conflict', 'rejected')),
  result          TEXT,
  created_at      TEXT NOT NULL,
  settled_at      TEXT
) STRICT;
CREATE INDEX team_ops_queued ON team_ops (seq) WHERE status = 'queued';
`;
