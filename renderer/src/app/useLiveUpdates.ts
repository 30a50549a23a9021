// Socket events → surgical react-query cache updates. Events are applied in small batches so a burst
// of traffic re-renders the inbox once, not once per event.
import { useEffect } from 'react';
import { notifyManager, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Broadcast, Channel, Flow, OutboxItem, ServerEvents } from '@contract/schemas';
import { keys } from '../api/keys';
import { useSession } from '../api/session';
import { applyConversation } from '../features/inbox/inboxCache';
import { isReplyAcceptance, reconcileNewestPage, upsertMessage } from '../features/conversation/messageCache';
import { useUi } from './store';
import { applyUnread } from './unreadTitle';

type Listed<T> = { items: T[] };

function upsertById<T extends { id: string }>(
  qc: QueryClient,
  key: readonly unknown[],
  item: T,
  keep = true,
): void {
  qc.setQueryData<Listed<T>>(key, (data) => {
    if (!data) return data;
    const rest = data.items.filter((x) => x.id !== item.id);
    if (!keep) return { ...data, items: rest };
    const at = data.items.findIndex((x) => x.id === item.id);
    return {
      ...data,
      items: at >= 0 ? data.items.map((x) => (x.id === item.id ? item : x)) : [item, ...rest],
    };
  });
}

const BATCH_MS = 40;

export function useLiveUpdates(): void {
  const { socket, api } = useSession();
  const qc = useQueryClient();

  useEffect(() => {
    let queue: (() => void)[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const work = queue;
      queue = [];
      notifyManager.batch(() => work.forEach((apply) => apply()));
    };
    const enqueue = (apply: () => void) => {
      queue.push(apply);
      timer ??= setTimeout(flush, BATCH_MS);
    };

    const handlers: { [E in keyof ServerEvents]: ServerEvents[E] } = {
      'message.created': (m) => enqueue(() => upsertMessage(qc, m)),
      'message.updated': (m) =>
        enqueue(() => {
          const accepted = isReplyAcceptance(qc, m);
          upsertMessage(qc, m);
          if (accepted) void reconcileNewestPage(qc, api, m.conversationId).catch(() => undefined);
        }),
      'conversation.updated': (c) =>
        enqueue(() => {
          applyConversation(qc, c, useUi.getState().openId);
          applyUnread(qc, c);
          // Its customer lists it (last message, status): asked again if on screen.
          void qc.invalidateQueries({ queryKey: keys.customer(c.customerId) });
        }),
      'channel.updated': (c: Channel) => enqueue(() => upsertById(qc, keys.channels, c)),
      'outbox.updated': (o: OutboxItem) =>
        enqueue(() => upsertById(qc, keys.outbox, o, o.status !== 'sent' && o.status !== 'cancelled')),
      'broadcast.progress': (b: Broadcast) => enqueue(() => upsertById(qc, keys.broadcasts, b)),
      'flow.updated': (f: Flow) => enqueue(() => upsertById(qc, keys.flows, f)),
    };
    for (const [event, handler] of Object.entries(handlers)) socket.on(event as keyof ServerEvents, handler);

    // Whatever happened while the link was down is unknown: refetch what is on screen.
    let wasConnected = socket.connected;
    const onConnect = () => {
      if (wasConnected) void qc.invalidateQueries();
      wasConnected = true;
    };
    socket.on('connect', onConnect);

    return () => {
      for (const [event, handler] of Object.entries(handlers))
        socket.off(event as keyof ServerEvents, handler);
      socket.off('connect', onConnect);
      if (timer) clearTimeout(timer);
    };
  }, [socket, api, qc]);
}
