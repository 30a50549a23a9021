// What a connector's findSent answers, from the messages it read back from the provider.
import type { RemoteMessage, SentMessage } from '../domain/remote';

/**
 * The messages that may be ours with exactly `text`, created at or after `sinceMs`, each once, oldest first:
 * outgoing ones, and those whose direction no documented field gave (a customer's identical words within the
 * window would be taken for the reply; a resend, the other mistake, would reach the customer twice).
 */
export function sentSince(messages: RemoteMessage[], text: string, sinceMs: number): SentMessage[] {
  const hits = messages.filter(
    (m) =>
      (m.direction === 'out' || m.directionInferred) && m.text === text && Date.parse(m.createdAt) >= sinceMs,
  );
  return [...new Map(hits.map((m) => [m.externalId, m])).values()]
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
    .map((m) => ({ externalId: m.externalId, createdAt: m.createdAt, status: m.status }));
}
