// Performance at a million messages (see test/bench): cheaper writes for sync and the outbox.
//
// 1. Full-text rows are written by SearchIndex (a single-row INSERT per new message) instead of an AFTER INSERT
//    trigger. A trigger turns every message insert into a statement with its own savepoint, and FTS5 flushes
//    its pending index to disk at each savepoint: one tiny segment per message, merged again and again, which
//    made each insert about six times slower (~125 µs instead of ~20 µs) and capped sync far below 20k msgs/s.
// 2. FTS5 stops merging index segments inside commits (automerge = 0): with it on, a few commits in a hundred
//    did a merge step of 10–70 ms, right inside a reply's POST or a sync batch. SearchIndex merges instead, in
//    short slices once writes pause; crisismerge stays as the backstop should writes never pause.
// 3. The agent's replies are indexed for search just after their POST, not inside it: fts_pending lists them
//    until SearchIndex indexes them (when writes pause, or before the next search).
// 4. Every outgoing message a sync batch brings is first matched against the replies being sent
//    (MessagesRepo.adoptPendingReply); a partial index over just those rows makes that a lookup instead of a
//    walk through the conversation's whole history.
// 5. The outbox's "head of each conversation's queue" check (OutboxRepo.due) looks up earlier pending items of
//    the same conversation; without an index that is a scan of every pending item for each pending item.
//    Listing by status (asked on every dispatcher round, as is the next retry time) gets an index too, so
//    its cost does not grow with the history of sent items.
export const up = `
DROP TRIGGER messages_fts_insert;
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('crisismerge', 32);
CREATE TABLE fts_pending (message_id INTEGER PRIMARY KEY) STRICT;
CREATE INDEX messages_pending_reply ON messages (conversation_id, text) WHERE direction = 'out' AND external_id IS NULL AND status = 'sending';
CREATE INDEX outbox_pending_by_conversation ON outbox (conversation_id, id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_by_status ON outbox (status, id);
`;
