// A conversation's cached message pages (newest first, as the API pages them), updated in place by
// socket events and by the agent's own replies, which show at once before the API has answered.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Message, PageOf } from '@contract/schemas';
import type { ApiClient } from '../../api/client';
import { keys } from '../../api/keys';

export type MessagePages = InfiniteData<PageOf<Message>, string | null>;

const LOCAL_PREFIX = 'local:';

export const isLocalMessage = (m: Message): boolean => m.id.startsWith(LOCAL_PREFIX);

export function localReply(conversationId: string, text: string, clientId: string): Message {
  return {
    id: LOCAL_PREFIX + clientId,
    conversationId,
    direction: 'out',
    text,
    type: 'text',
    createdAt: new Date().toISOString(),
    status: 'queued',
    meta: { clientId },
  };
}

const newestFirst = (a: Message, b: Message) =>
  b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id);

/** The local placeholder a server message stands for: same client id, or the same text still pending. */
function placeholderFor(items: Message[], m: Message): number {
  const clientId = m.meta?.clientId;
  return items.findIndex(
    (x) =>
      isLocalMessage(x) &&
      (clientId !== undefined ? x.meta?.clientId === clientId : m.direction === 'out' && x.text === m.text),
  );
}

function update(qc: QueryClient, conversationId: string, fn: (data: MessagePages) => MessagePages): void {
  const data = qc.getQueryData<MessagePages>(keys.messages(conversationId));
  if (data) qc.setQueryData(keys.messages(conversationId), fn(data));
}

/** A message from the server (new or changed): replaces its earlier copy or placeholder, else goes in. */
export function upsertMessage(qc: QueryClient, m: Message): void {
  update(qc, m.conversationId, (data) => {
    for (let p = 0; p < data.pages.length; p++) {
      const items = data.pages[p].items;
      const at = items.findIndex((x) => x.id === m.id);
      if (at >= 0)
        return withPage(
          data,
          p,
          items.map((x, i) => (i === at ? m : x)),
        );
    }
    const first = data.pages[0];
    if (!first) return data;
    const local = placeholderFor(first.items, m);
    const items = local >= 0 ? first.items.filter((_, i) => i !== local) : first.items;
    return withPage(data, 0, [m, ...items].sort(newestFirst));
  });
}

export function addLocalReply(qc: QueryClient, m: Message): void {
  update(qc, m.conversationId, (data) =>
    data.pages[0] ? withPage(data, 0, [m, ...data.pages[0].items.filter((x) => x.id !== m.id)]) : data,
  );
}

/** The API accepted the reply: the placeholder gives way to the stored message. */
export function settleLocalReply(qc: QueryClient, clientId: string, stored: Message): void {
  update(qc, stored.conversationId, (data) => {
    const first = data.pages[0];
    if (!first) return data;
    const without = first.items.filter((x) => x.id !== LOCAL_PREFIX + clientId);
    const known = data.pages.some((page) => page.items.some((x) => x.id === stored.id));
    return withPage(data, 0, known ? without : [stored, ...without].sort(newestFirst));
  });
}

/** The API refused or could not be reached: the placeholder stays, marked failed with the reason. */
export function failLocalReply(
  qc: QueryClient,
  conversationId: string,
  clientId: string,
  reason: string,
): void {
  update(qc, conversationId, (data) => {
    const first = data.pages[0];
    if (!first) return data;
    return withPage(
      data,
      0,
      first.items.map((x) =>
        x.id === LOCAL_PREFIX + clientId ? { ...x, status: 'failed' as const, error: reason } : x,
      ),
    );
  });
}

/** True when this update is the moment our own reply was accepted by the provider. */
export function isReplyAcceptance(qc: QueryClient, m: Message): boolean {
  if (m.direction !== 'out' || !['sent', 'delivered', 'read'].includes(m.status)) return false;
  const data = qc.getQueryData<MessagePages>(keys.messages(m.conversationId));
  const cached = data?.pages.flatMap((page) => page.items).find((x) => x.id === m.id);
  return cached !== undefined && (cached.status === 'queued' || cached.status === 'sending');
}

/**
 * Replaces the newest cached page with the server's copy of the same range. Used once a reply is
 * accepted: the server may then merge a copy of it that a provider echoed back as a separate message,
 * and only a fresh read shows that merge.
 */
export async function reconcileNewestPage(
  qc: QueryClient,
  api: ApiClient,
  conversationId: string,
): Promise<void> {
  const before = qc.getQueryData<MessagePages>(keys.messages(conversationId))?.pages[0];
  if (!before) return;
  const limit = Math.min(500, Math.max(50, before.items.filter((x) => !isLocalMessage(x)).length));
  const fresh = await api.call('listMessages', { params: { id: conversationId }, query: { limit } });
  update(qc, conversationId, (data) => {
    const first = data.pages[0];
    if (!first) return data;
    const settled = new Set(fresh.items.map((x) => x.meta?.clientId).filter(Boolean));
    const pending = first.items.filter((x) => isLocalMessage(x) && !settled.has(x.meta?.clientId));
    return withPage(data, 0, [...pending, ...fresh.items].sort(newestFirst));
  });
}

function withPage(data: MessagePages, index: number, items: Message[]): MessagePages {
  return { ...data, pages: data.pages.map((page, i) => (i === index ? { ...page, items } : page)) };
}
