// How a provider's listing of a message is matched with what the store holds, wherever it is stored (the desktop's
// SQLite, the hub's PostgreSQL): which status is further along, and when a listed message may be a reply the app
// sent that the provider lists under an id of its own.
import type { MessageStatus } from './entities';

/** Rank of a status, so a late 'delivered' never overwrites 'read'. */
export const STATUS_RANK: Record<MessageStatus, number> = {
  failed: 0,
  queued: 1,
  sending: 2,
  received: 3,
  sent: 3,
  delivered: 4,
  read: 5,
};

/** How long before a listed message the app's reply may have been queued and still be taken for it. */
const OWN_REPLY_LOOKBACK_MS = 7 * 24 * 3600_000;
/** How far ahead of this machine's clock a provider's timestamps may run. */
const PROVIDER_CLOCK_SKEW_MS = 5 * 60_000;

/** When a reply the provider lists as created at `createdAt` may have been queued (ISO bounds); null: no time. */
export function ownReplyWindow(createdAt: string): { from: string; to: string } | null {
  const created = Date.parse(createdAt);
  if (Number.isNaN(created)) return null;
  return {
    from: new Date(created - OWN_REPLY_LOOKBACK_MS).toISOString(),
    to: new Date(created + PROVIDER_CLOCK_SKEW_MS).toISOString(),
  };
}
