// Issue 17, provider fidelity:
// - A provider may list the app's own reply under another id than its send answered (InstantChat answers
//   `mid_…` and lists `msg_…`), or with no field saying which way it went (ChatPion, Chatbots Platform). The
//   store then recognises the reply by conversation and text, gives the local row the id the provider's reads
//   use, and keeps the send's id in `sent_id`, so receipts and echoes that name either id find the one row.
//   A reply listed under its send's own id gets sent_id = external_id: listed, not to be matched again.
// - `remote_status` is the status the provider last reported for a conversation (null: it reports none). A
//   change there (the provider closed or reopened it) is applied; the agent's own changes stay otherwise.
export const up = `
ALTER TABLE messages ADD COLUMN sent_id TEXT;
CREATE INDEX messages_by_sent_id ON messages (channel_id, sent_id) WHERE sent_id IS NOT NULL;
ALTER TABLE conversations ADD COLUMN remote_status TEXT;
`;
