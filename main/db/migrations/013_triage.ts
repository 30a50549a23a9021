// Issue 21, item 7, triage:
// - The inbox filters by a conversation's tag. Tags stay a JSON array in conversations.tags (what the API
//   answers); conversation_tags lists them a row each, so a tag's conversations are a range of its primary key
//   instead of a walk through every conversation parsing JSON. Only the agent writes tags (a PATCH), so a
//   trigger on that one column keeps the list in step at no cost to sync.
// - The agent's saved views: a name and the inbox filters it stands for (JSON, checked by the contract).
export const up = `
CREATE TABLE conversation_tags (
  tag             TEXT NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  PRIMARY KEY (tag, conversation_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX conversation_tags_by_conversation ON conversation_tags (conversation_id);
INSERT OR IGNORE INTO conversation_tags (tag, conversation_id)
  SELECT t.value, v.id FROM conversations v, json_each(v.tags) t WHERE v.tags <> '[]' AND json_valid(v.tags) AND t.type = 'text';
CREATE TRIGGER conversation_tags_follow AFTER UPDATE OF tags ON conversations WHEN old.tags IS NOT new.tags BEGIN
  DELETE FROM conversation_tags WHERE conversation_id = new.id;
  INSERT OR IGNORE INTO conversation_tags (tag, conversation_id)
    SELECT value, new.id FROM json_each(new.tags) WHERE type = 'text';
END;

CREATE TABLE saved_views (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  filters    TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
`;
