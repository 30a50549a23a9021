// Three things a channel is trusted with (issue 16):
// - `demo` marks the channels the demo workspace made, so that starting the demo re-points only those, never
//   a channel of the agent's that happens to be named "Demo · …". Channels an earlier demo made are
//   recognised by the exact name it gave them and the loopback address of its in-process simulators.
// - `webhook_secret_sealed` holds the webhook secret sealed like the credentials (the SecretBox). The db
//   layer cannot seal, so the channel service seals any secret still in `webhook_secret` when it starts
//   and empties that column.
// - `webhook_deliveries` remembers the webhook deliveries taken lately, by the name their connector gave
//   them, so that a replay is refused after a restart too.
export const up = `
ALTER TABLE channels ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
UPDATE channels SET demo = 1
WHERE name = 'Demo · ' || provider AND base_url LIKE 'http://127.0.0.1:%';

ALTER TABLE channels ADD COLUMN webhook_secret_sealed BLOB;

CREATE TABLE webhook_deliveries (
  channel_id  TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (channel_id, delivery_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (received_at);
`;
