// Exponential backoff, one policy for every retry in the app: sync and the outbox after a failure, HTTP after a
// 429 without a hint, realtime links reconnecting, webhook registration. Each caller names its curve (where it
// starts, where it stops growing); the doubling and the jitter are the same everywhere.

/** Where a backoff starts (the wait before the first retry) and the longest it grows to. */
export interface BackoffCurve {
  firstMs: number;
  maxMs: number;
}

/**
 * Multiplies every backoff wait, never a provider's own Retry-After: 1 in the product; tests pass less so that
 * they do not sit out real backoffs against simulators that recover at once.
 */
export type BackoffScale = number;

/** The wait before retry `attempt` (0: the first retry) without jitter: `firstMs` doubling, at most `maxMs`. */
export function backoffCeilingMs(attempt: number, curve: BackoffCurve, scale: BackoffScale = 1): number {
  return Math.min(curve.maxMs, curve.firstMs * 2 ** Math.min(attempt, 30)) * scale;
}

/** Equal jitter: between half the ceiling and all of it, so retries that failed together spread out, none at once. */
export function backoffMs(attempt: number, curve: BackoffCurve, scale: BackoffScale = 1): number {
  const ceiling = backoffCeilingMs(attempt, curve, scale);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** backoffMs, or longer when the provider asked for longer (its Retry-After, which no scale shortens). */
export function retryDelayMs(
  attempt: number,
  curve: BackoffCurve,
  retryAfterMs: number | undefined,
  scale: BackoffScale = 1,
): number {
  return Math.max(backoffMs(attempt, curve, scale), retryAfterMs ?? 0);
}
