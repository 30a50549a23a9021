// What the benchmark asks of the cache: the same queries through the db layer and through the local API.
import { PROVIDERS, type ConversationQuery } from '../../main/contract/schemas';
import { channelIdFor } from './generate';

export const PAGE = 50;

/** Search terms an agent would type: words in a large share of messages, and words in a handful. */
export const SEARCH_TERMS: { term: string; kind: 'common' | 'rare' | 'none' }[] = [
  { term: 'order', kind: 'common' },
  { term: 'refund', kind: 'common' },
  { term: 'where is my order', kind: 'common' },
  { term: 'pedido', kind: 'common' },
  { term: 'Müller', kind: 'common' },
  { term: 'zeppelin', kind: 'rare' },
  { term: 'quokka', kind: 'rare' },
  { term: 'kumquat', kind: 'rare' },
  { term: 'xylophonist', kind: 'none' },
];

/** Parts of a customer's name an agent would type in the inbox's filter box: common, partial, absent. */
export const CONTACT_QUERIES = ['Müller', 'chen', 'Sofía P', 'zzq'];

export interface Filter {
  channel: string;
  status: 'open' | 'pending';
  unread: true;
}

/** Status + channel + unread, over every channel: the inbox's filter bar. */
export function filters(seed: number): Filter[] {
  const out: Filter[] = [];
  for (const p of PROVIDERS)
    for (const status of ['open', 'pending'] as const)
      out.push({ channel: channelIdFor(seed, p), status, unread: true });
  return out;
}

export const firstPageQuery = (): ConversationQuery => ({ sort: 'latest', limit: PAGE });
export const filteredQuery = (f: Filter): ConversationQuery => ({ sort: 'latest', limit: PAGE, ...f });
export const contactPath = (q: string) => `/api/v1/conversations?limit=${PAGE}&q=${encodeURIComponent(q)}`;
export const filteredPath = (f: Filter) =>
  `/api/v1/conversations?limit=${PAGE}&channel=${f.channel}&status=${f.status}&unread=true`;
