// Triage: one change for many conversations at once, the tags in use (the inbox filters by them) and the
// agent's saved views. A bulk change goes through the same path as a single one, per conversation, in one
// transaction: an id that cannot be changed fails alone, with its reason, and the others are kept.
import {
  MAX_TAGS,
  type BulkAction,
  type BulkResult,
  type Conversation,
  type ConversationPatch,
} from '../../contract/schemas';
import { DomainError } from '../../domain/errors';
import { applyConversationPatch, conversationById } from './conversations';
import { localId, type HandlerDeps, type RouteHandlers } from './deps';

/** The single-conversation change a bulk action stands for, given the conversation as it is. */
function patchFor(action: BulkAction, c: Conversation): ConversationPatch {
  switch (action.type) {
    case 'resolve':
      return { status: 'resolved' };
    case 'reopen':
      return { status: 'open', snoozedUntil: null };
    case 'snooze':
      return { status: 'snoozed', snoozedUntil: action.until };
    case 'addTag':
      if (c.tags.includes(action.tag)) return {};
      if (c.tags.length >= MAX_TAGS)
        throw DomainError.unprocessable(
          'too_many_tags',
          `The conversation already has ${MAX_TAGS} tags; remove one first.`,
        );
      return { tags: [...c.tags, action.tag] };
    case 'removeTag':
      return { tags: c.tags.filter((t) => t !== action.tag) };
  }
}

function bulkChange(d: HandlerDeps, ids: string[], action: BulkAction): BulkResult {
  const changed: Conversation[] = [];
  let queued = false;
  const items = d.store.transaction(() =>
    [...new Set(ids)].map((id): BulkResult['items'][number] => {
      try {
        // A savepoint each: what one id did before it failed is undone, the others stay.
        const conversation = d.store.transaction(() => {
          const before = conversationById(d, id);
          const r = applyConversationPatch(d, before, patchFor(action, before));
          queued ||= r.queued;
          return r.conversation;
        });
        changed.push(conversation);
        return { id, ok: true, conversation };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { id, ok: false, error: e.message };
      }
    }),
  );
  for (const c of changed) d.events.emit('conversation.updated', c);
  if (queued) d.kickOutbox();
  return { items, succeeded: changed.length, failed: items.length - changed.length };
}

const sameName = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

function refuseTakenName(d: HandlerDeps, name: string, exceptId?: string): void {
  if (d.store.savedViews.list().some((v) => v.id !== exceptId && sameName(v.name, name)))
    throw DomainError.conflict('view_name_taken', `A view named '${name}' already exists.`);
}

function viewId(d: HandlerDeps, id: string): number {
  const n = localId(id, 'view');
  if (!d.store.savedViews.get(n)) throw DomainError.notFound('view', id);
  return n;
}

type TriageRoutes =
  'bulkConversations' | 'listTags' | 'listViews' | 'createView' | 'patchView' | 'deleteView';

export const triageRoutes = (d: HandlerDeps): RouteHandlers<TriageRoutes> => ({
  bulkConversations: ({ body }) => bulkChange(d, body.ids, body.action),
  listTags: () => ({ items: d.store.conversations.tagsInUse() }),
  listViews: () => ({ items: d.store.savedViews.list() }),
  createView: ({ body }) => {
    refuseTakenName(d, body.name);
    return d.store.savedViews.create(body.name, body.filters);
  },
  patchView: ({ params, body }) => {
    const id = viewId(d, params.id);
    if (body.name !== undefined) refuseTakenName(d, body.name, params.id);
    return d.store.savedViews.update(id, body)!;
  },
  deleteView: ({ params }) => {
    d.store.savedViews.delete(viewId(d, params.id));
    return null;
  },
});
