// Validation of what the renderer sends over the bridge: it is treated as untrusted input.
import type { BridgeNotification } from '../../preload/bridge';

const MAX_TITLE = 200;
const MAX_BODY = 2_000;
const MAX_ID = 200;

export function parseBridgeNotification(value: unknown): BridgeNotification | null {
  if (typeof value !== 'object' || value === null) return null;
  const { title, body, conversationId } = value as Record<string, unknown>;
  if (typeof title !== 'string' || typeof body !== 'string') return null;
  if (!title.trim() || title.length > MAX_TITLE || body.length > MAX_BODY) return null;
  if (conversationId === undefined || conversationId === null) return { title, body };
  if (typeof conversationId !== 'string' || !conversationId || conversationId.length > MAX_ID) return null;
  return { title, body, conversationId };
}

export function parseBadgeCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1_000_000
    ? value
    : null;
}
