// Realtime across instances: what the socket.io PostgreSQL adapter keeps of a broadcast too large for a NOTIFY,
// and presence (who views or types in which conversation), kept here with its expiry so every instance answers
// the same set and one of them announces each expiry.
export const up = `
CREATE TABLE socket_io_attachments (
  id         BIGSERIAL UNIQUE,
  created_at TIMESTAMPTZ DEFAULT now(),
  payload    BYTEA
);

CREATE TABLE presence (
  team_id         UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  agent_id        UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  -- Typing implies viewing; each lasts until its time unless reported again.
  viewing_until   TIMESTAMPTZ NOT NULL,
  typing_until    TIMESTAMPTZ,
  -- The connection that reported it, so a closed one takes its presence along.
  socket_id       TEXT NOT NULL,
  PRIMARY KEY (conversation_id, agent_id)
);
CREATE INDEX presence_viewing_ends ON presence (viewing_until);
CREATE INDEX presence_typing_ends ON presence (typing_until) WHERE typing_until IS NOT NULL;
CREATE INDEX presence_by_socket ON presence (socket_id);
`;
