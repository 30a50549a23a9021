/** Exponential backoff with full jitter; a provider's Retry-After wins when it asks for longer. */
export function backoffMs(attempt: number, retryAfterMs?: number, maxMs = 60_000): number {
  const ceiling = Math.min(maxMs, 1000 * 2 ** Math.min(attempt, 16));
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
