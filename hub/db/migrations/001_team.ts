// The hub's first schema: the team (agents, sessions), its channels and what sync stores from them, the shared
// state agents change (status, assignee, tags, snooze, notes, reads), the ops that changed it, the outbox, the
// change feed and the audit trail. Every row a team owns is reachable from `teams` and scoped by it.
export const up = `
CREATE TABLE hub_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE teams (
  id         UUID PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE agents (
  id            UUID PRIMARY KEY,
  team_id       UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  email         TEXT NOT NULL,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
  password_hash TEXT NOT NULL,
  active        BOOLEAN NOT NULL DEFAULT true,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agents_by_email ON agents (lower(email));
CREATE INDEX agents_by_team ON agents (team_id);

CREATE TABLE sessions (
  token_hash   BYTEA PRIMARY KEY,
  agent_id     UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sessions_by_agent ON sessions (agent_id);

-- Failed sign-ins, by account ('email:…') and by address ('addr:…'), for throttling across instances.
CREATE TABLE signin_failures (
  subject   TEXT NOT NULL,
  failed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX signin_failures_by_subject ON signin_failures (subject, failed_at);

CREATE TABLE channels (
  id             UUID PRIMARY KEY,
  team_id        UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  -- The advisory lock an instance holds while it syncs this channel and dispatches its replies.
  lock_key       BIGSERIAL UNIQUE,
  provider       TEXT NOT NULL,
  name           TEXT NOT NULL,
  base_url       TEXT NOT NULL,
  credentials    BYTEA NOT NULL,
  webhook_secret BYTEA NOT NULL,
  paused         BOOLEAN NOT NULL DEFAULT false,
  status         TEXT NOT NULL DEFAULT 'connecting',
  error          TEXT,
  last_sync_at   TIMESTAMPTZ,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX channels_by_team ON channels (team_id);

CREATE TABLE contacts (
  id          BIGSERIAL PRIMARY KEY,
  channel_id  UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  handle      TEXT NOT NULL,
  platform    TEXT,
  email       TEXT,
  tags        JSONB NOT NULL DEFAULT '[]',
  UNIQUE (channel_id, external_id)
);

CREATE TABLE conversations (
  id               BIGSERIAL PRIMARY KEY,
  team_id          UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  channel_id       UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id      TEXT NOT NULL,
  contact_id       BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  status           TEXT NOT NULL DEFAULT 'open',
  remote_status    TEXT,
  assignee_id      UUID REFERENCES agents(id) ON DELETE SET NULL,
  tags             JSONB NOT NULL DEFAULT '[]',
  snoozed_until    TIMESTAMPTZ,
  unread_count     INTEGER NOT NULL DEFAULT 0,
  last_message_id  BIGINT,
  last_activity_at TIMESTAMPTZ NOT NULL,
  waiting_since    TIMESTAMPTZ,
  meta             JSONB NOT NULL DEFAULT '{}',
  UNIQUE (channel_id, external_id)
);
CREATE INDEX conversations_by_team ON conversations (team_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_team_id ON conversations (team_id, id);

CREATE TABLE messages (
  id              BIGSERIAL PRIMARY KEY,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  channel_id      UUID NOT NULL,
  external_id     TEXT,
  sent_id         TEXT,
  direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text            TEXT NOT NULL,
  type            TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  status          TEXT NOT NULL,
  error           TEXT,
  meta            JSONB,
  -- The agent who wrote an outgoing reply (null: the provider's or an earlier app's).
  author_id       UUID REFERENCES agents(id) ON DELETE SET NULL,
  UNIQUE (conversation_id, external_id)
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);
CREATE INDEX messages_by_sent_id ON messages (channel_id, sent_id) WHERE sent_id IS NOT NULL;
CREATE INDEX messages_awaiting_receipt ON messages (channel_id, external_id)
  WHERE direction = 'out' AND status IN ('sent', 'delivered');

-- Internal notes: the team's own words about a conversation, never sent to a provider.
CREATE TABLE notes (
  id              BIGSERIAL PRIMARY KEY,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  author_id       UUID REFERENCES agents(id) ON DELETE SET NULL,
  text            TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notes_by_conversation ON notes (conversation_id, id);

-- What each agent has read, per conversation.
CREATE TABLE reads (
  agent_id        UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  read_at         TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (agent_id, conversation_id)
);

-- Every op a desktop uploaded, by its client id: a repeated id is answered 'duplicate', never applied twice.
CREATE TABLE ops (
  team_id    UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  agent_id   UUID REFERENCES agents(id) ON DELETE SET NULL,
  kind       TEXT NOT NULL,
  result     JSONB NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, id)
);

CREATE TABLE outbox (
  id                 BIGSERIAL PRIMARY KEY,
  kind               TEXT NOT NULL CHECK (kind IN ('reply', 'broadcast', 'flow_toggle', 'status')),
  channel_id         UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  conversation_id    BIGINT REFERENCES conversations(id) ON DELETE CASCADE,
  message_id         BIGINT REFERENCES messages(id) ON DELETE CASCADE,
  payload            TEXT NOT NULL,
  idempotency_key    TEXT NOT NULL UNIQUE,
  status             TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at    TIMESTAMPTZ,
  sending_since      TIMESTAMPTZ,
  error              TEXT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  unconfirmed_since  TIMESTAMPTZ,
  unconfirmed_checks INTEGER NOT NULL DEFAULT 0,
  held_by            BIGINT
);
CREATE INDEX outbox_pending ON outbox (channel_id, id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_pending_by_conversation ON outbox (conversation_id, id) WHERE status IN ('queued', 'sending');

CREATE TABLE sync_state (
  channel_id UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  stream     TEXT NOT NULL,
  cursor     TEXT,
  done       BOOLEAN NOT NULL DEFAULT false,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, stream)
);

CREATE TABLE flows (
  channel_id  UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT,
  active      BOOLEAN NOT NULL,
  PRIMARY KEY (channel_id, external_id)
);

CREATE TABLE templates (
  channel_id  UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  text        TEXT NOT NULL,
  PRIMARY KEY (channel_id, external_id)
);

CREATE TABLE webhook_deliveries (
  channel_id  UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, delivery_id)
);

-- The change feed. seq comes from changes_seq, taken only under the feed lock that the writing transaction
-- holds until it commits (database.ts), so seqs become visible in order and a reader never skips one.
CREATE SEQUENCE changes_seq;
CREATE TABLE changes (
  seq             BIGINT PRIMARY KEY,
  team_id         UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('conversation', 'message', 'note', 'channel', 'agent')),
  conversation_id BIGINT,
  data            JSONB NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX changes_by_team ON changes (team_id, seq);

CREATE TABLE audit (
  id        BIGSERIAL PRIMARY KEY,
  team_id   UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  agent_id  UUID REFERENCES agents(id) ON DELETE SET NULL,
  action    TEXT NOT NULL,
  target    TEXT,
  detail    JSONB,
  at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_by_team ON audit (team_id, id);
`;
