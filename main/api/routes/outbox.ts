// The outbox as the agent sees it: list, retry a failed item, edit or cancel a reply that has not gone out.
// Retrying or cancelling a reply that held later items lets them go (announceHeld).
import { toOutboxItem } from '../../db/outbox';
import { DomainError } from '../../domain/errors';
import { replyTooLong } from '../../domain/textLimits';
import { announceHeld } from '../../outbox/dispatcher';
import { emitOutboxItem, localId, type HandlerDeps, type RouteHandlers } from './deps';

type OutboxRoutes = 'listOutbox' | 'retryOutbox' | 'editOutbox' | 'cancelOutbox';

export const outboxRoutes = (d: HandlerDeps): RouteHandlers<OutboxRoutes> => {
  const { store, events } = d;
  const outboxRow = (id: string) => {
    const r = store.outbox.get(localId(id, 'outbox item'));
    if (!r) throw DomainError.notFound('outbox item', id);
    return r;
  };

  return {
    listOutbox: ({ query }) => ({ items: store.outbox.list(query.status ?? null).map(toOutboxItem) }),

    retryOutbox: async ({ params }) => {
      const row = outboxRow(params.id);
      if (!store.outbox.requeue(row.id))
        throw DomainError.conflict(
          'not_failed',
          `Only failed items can be retried; this one is ${row.status}`,
        );
      if (row.message_id !== null) {
        const m = store.messages.setStatus(row.message_id, 'queued', null);
        if (m) events.emit('message.updated', m);
      }
      emitOutboxItem(d, row.id);
      await announceHeld(d.outboxStorage, events, row);
      d.kickOutbox();
      return toOutboxItem(store.outbox.get(row.id)!);
    },

    editOutbox: ({ params, body }) => {
      const row = outboxRow(params.id);
      if (row.kind !== 'reply') throw DomainError.conflict('not_editable', 'Only replies can be edited');
      const conv = row.conversation_id === null ? undefined : store.conversations.get(row.conversation_id);
      const tooLong = conv && replyTooLong(conv, body.text.length);
      if (tooLong) throw DomainError.invalid('too_long', `${tooLong}. The reply was not changed.`);
      const ok = store.transaction(() => {
        if (!store.outbox.setPayload(row.id, { text: body.text })) return false;
        if (row.message_id !== null) store.messages.setText(row.message_id, body.text);
        return true;
      });
      if (!ok)
        throw DomainError.conflict(
          'already_sending',
          `This reply is ${row.status}; it can no longer be edited`,
        );
      if (row.message_id !== null) events.emit('message.updated', store.messages.get(row.message_id)!);
      emitOutboxItem(d, row.id);
      return toOutboxItem(store.outbox.get(row.id)!);
    },

    cancelOutbox: async ({ params }) => {
      const row = outboxRow(params.id);
      if (!store.outbox.cancel(row.id))
        throw DomainError.conflict(
          'already_sending',
          `This item is ${row.status}; it can no longer be cancelled`,
        );
      if (row.message_id !== null) {
        const m = store.messages.setStatus(row.message_id, 'failed', 'cancelled by the agent');
        if (m) events.emit('message.updated', m);
      }
      emitOutboxItem(d, row.id);
      await announceHeld(d.outboxStorage, events, row);
      d.kickOutbox();
      return null;
    },
  };
};
