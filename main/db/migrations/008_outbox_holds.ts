// Two outbox lookups issue 16 added:
// - A failed reply holds the later items of its conversation (OutboxRepo.due) until the agent retries, edits
//   or discards it, so a customer never reads reply #3 without #2. Failed replies, by conversation, get a
//   small index of their own: every dispatch round asks it about each item it hands out.
// - Before the outbox takes a provider message found by text as its reply's, it asks whether another local
//   reply already carries that message (MessagesRepo.replyCarrying): the outbox by message. The same index makes
//   removing a message (its outbox row goes by cascade) a lookup instead of a walk through the outbox.
export const up = `
CREATE INDEX outbox_failed_replies ON outbox (conversation_id, id) WHERE status = 'failed' AND kind = 'reply';
CREATE INDEX outbox_by_message ON outbox (message_id);
`;
