// What the agent reads when a provider fails or refuses: one sentence that names the provider, what it did not
// take and, where its answer gave one, its reason in words ("ChatPion refused this reply: it is longer than 2,000
// characters"; "InstantChat could not be reached"). Never a request line, a status code or a socket error: those
// stay in the ProviderError's message, which is what the log gets.
import { PROVIDER_NAMES, type ProviderId } from '../domain/entities';
import { characters } from '../domain/textLimits';
import type { ProviderError } from './http';

/** What the app was doing when the provider failed, as the agent calls it. */
export type ProviderAction =
  'reply' | 'broadcast' | 'flow_toggle' | 'flow_test' | 'status' | 'sync' | 'credentials';

const WHAT: Record<ProviderAction, string> = {
  reply: 'this reply',
  broadcast: 'this broadcast',
  flow_toggle: 'the flow switch',
  flow_test: 'the test message',
  status: 'the status change',
  sync: 'a request of this channel',
  credentials: 'these credentials',
};

const MISSING: Record<ProviderAction, string> = {
  reply: 'this conversation',
  broadcast: 'this recipient',
  flow_toggle: 'this flow',
  flow_test: 'this flow',
  status: 'this conversation',
  sync: 'what the app asked for',
  credentials: 'the account at this address',
};

/** What only a developer reads: a request line, a socket error code, a bare HTTP status. */
const TECHNICAL =
  /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/|\bE(CONN|NOTFOUND|TIMEDOUT|AI_AGAIN|HOSTUNREACH|NETUNREACH|PIPE|PROTO)|socket hang up|\b(HTTP|status)\s*[1-5]\d\d\b|:\s*[1-5]\d\d\b/;

export const isTechnical = (text: string): boolean => TECHNICAL.test(text);

/** "must be at most 2000 characters", "Content exceeds 10000 characters", "is longer than 4096 characters". */
const LENGTH_LIMIT =
  /\b(?:at most|(?:no |not )?more than|longer than|exceeds|up to|max(?:imum)?(?: length)?(?: of| is|:)?)\s+(\d[\d,]*)\s*(?:characters|chars)\b/i;

/** A trailing machine code in parentheses: "Validation failed (VALIDATION_ERROR)". */
const TRAILING_CODE = /\s*\((?:[A-Z][A-Z0-9_]{2,}|\d{3})\)\s*$/;

/**
 * The provider's reason in words, or null when there is nothing an agent could read in it. A length limit reads
 * the same whichever provider states it.
 */
export function reasonInWords(reason: string | undefined): string | null {
  if (!reason) return null;
  const limit = LENGTH_LIMIT.exec(reason);
  if (limit) return `it is longer than ${characters(Number(limit[1].replace(/,/g, '')))} characters`;
  if (/\btoo (long|large)\b/i.test(reason)) return 'it is too long';
  const text = reason
    .replace(TRAILING_CODE, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.;:]+$/, '');
  if (!text || isTechnical(text)) return null;
  // Lower-case the first word unless it is a name or an acronym ("API key", "Instagram").
  return /^[A-Z][a-z]/.test(text) && !/^(I|Instagram|Messenger|WhatsApp|Telegram)\b/.test(text)
    ? text[0].toLowerCase() + text.slice(1)
    : text;
}

/** A provider's requested pause as the agent reads it: "30 seconds", "5 minutes", "1 hour". */
function waitInWords(ms: number): string {
  const [n, unit] =
    ms < 90_000
      ? [Math.max(1, Math.round(ms / 1000)), 'second']
      : ms < 3_600_000
        ? [Math.round(ms / 60_000), 'minute']
        : [Math.round(ms / 3_600_000), 'hour'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The sentence the agent reads for `err`, met while doing `action` with `provider`. */
export function agentSentence(provider: ProviderId, err: ProviderError, action: ProviderAction): string {
  const name = PROVIDER_NAMES[provider];
  // The app's own sentences (a connector's "ChatPion needs an API key", the dispatcher's reasons) pass as written.
  if (err.reason === undefined && err.message.startsWith(name) && !isTechnical(err.message))
    return err.message;
  if (err.status !== undefined && err.status >= 300 && err.status < 400)
    return `${name} answers from another address: check the channel's base URL`;
  const words = reasonInWords(err.reason);
  const because = words ? `: ${words}` : '';
  switch (err.kind) {
    case 'network':
      return `${name} could not be reached`;
    case 'timeout':
      return `${name} did not answer in time`;
    case 'server':
      return err.status === 503 ? `${name} is unavailable for now` : `${name} had a problem on its side`;
    case 'rate_limit':
      return err.retryAfterMs === undefined
        ? `${name} asked the app to slow down`
        : `${name} asked the app to wait ${waitInWords(err.retryAfterMs)} before sending more`;
    case 'malformed':
      return `${name} sent an answer the app could not read`;
    case 'unconfirmed':
      return `${name} took ${WHAT[action]} but did not confirm it`;
    case 'auth':
      return `${name} did not accept the channel's credentials${because}`;
    case 'not_found':
      return words
        ? `${name} refused ${WHAT[action]}${because}`
        : `${name} no longer knows ${MISSING[action]}`;
    case 'client': {
      if (words) return `${name} refused ${WHAT[action]}${because}`;
      // Without an answer's reason, a client error is the app's own finding, in words already where it is clean.
      return isTechnical(err.message) ? `${name} refused ${WHAT[action]}` : `${name}: ${err.message}`;
    }
  }
}
