// What sync and delivery look up on every batch and every send, indexed: the replies the hub has sent on a
// channel (a listed message may be one of them), and whether a message is one the outbox delivers.
export const up = `
CREATE INDEX outbox_sent_replies ON outbox (channel_id) WHERE message_id IS NOT NULL AND status = 'sent';
CREATE INDEX outbox_by_message ON outbox (message_id) WHERE message_id IS NOT NULL;
`;
