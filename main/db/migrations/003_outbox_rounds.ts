// The dispatcher asks, after every new reply, when its next retry is due (OutboxRepo.nextWake). Without an
// index that is a walk through every queued item; with this one it is the index's first entry.
export const up = `
CREATE INDEX outbox_wake ON outbox (next_attempt_at) WHERE status = 'queued' AND next_attempt_at IS NOT NULL;
`;
