// A provider's batch, stored: contacts, conversations and messages in one transaction, each conversation's
// summary folded from its new messages and written once. Also wires the inbox's repos on a connection.
import type { Sqlite } from './database';
import { ContactsRepo } from './contacts';
import { ConversationsRepo } from './conversations';
import { foldMessage, type Touch } from '../domain/conversationTouch';
import { CustomersRepo } from './customers';
import { MessagesRepo } from './messages';
import { SearchIndex } from './searchIndex';
import type { Message } from '../domain/entities';
import type { RemoteConversation, RemoteMessage } from '../domain/remote';

export interface AppliedBatch {
  created: Message[];
  updated: Message[];
  conversations: Set<number>;
}

function placeholderConversation(m: RemoteMessage): RemoteConversation {
  const handle = `conversation ${m.conversationExternalId}`;
  return {
    externalId: m.conversationExternalId,
    contact: { externalId: `?${m.conversationExternalId}`, name: 'Unknown customer', handle, tags: [] },
    lastActivityAt: m.createdAt,
  };
}

export class Ingest {
  constructor(
    private readonly db: Sqlite,
    private readonly conversations: ConversationsRepo,
    private readonly messages: MessagesRepo,
  ) {}

  /** Store one batch from a provider, idempotently. Returns the messages that are new or changed. */
  applyBatch(
    channelId: string,
    convs: RemoteConversation[],
    msgs: RemoteMessage[],
    o: { live: boolean },
  ): AppliedBatch {
    const out: AppliedBatch = { created: [], updated: [], conversations: new Set() };
    this.db
      .transaction(() => {
        // External id → local id of the conversations this batch describes or has looked up, so each message
        // does not look its conversation up again.
        const known = new Map<string, number>();
        for (const rc of convs) {
          const id = this.conversations.upsert(channelId, rc, o.live);
          known.set(rc.externalId, id);
          out.conversations.add(id);
        }
        const touches = new Map<number, Touch>();
        const batch = this.messages.startBatch(channelId, o.live);
        // Oldest first, so last_message and waiting time end up right whatever order the provider used.
        const sorted = [...msgs].sort((a, b) =>
          a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
        );
        for (const rm of sorted) {
          // A message for a conversation the batch did not describe is kept under a placeholder contact,
          // which the provider's next description of that conversation replaces.
          let convId = known.get(rm.conversationExternalId);
          if (convId === undefined) {
            convId =
              this.conversations.idByExternal(channelId, rm.conversationExternalId) ??
              this.conversations.upsert(channelId, placeholderConversation(rm), o.live);
            known.set(rm.conversationExternalId, convId);
          }
          const r = this.messages.storeRemote(channelId, convId, rm, batch);
          if (!r) continue;
          out.conversations.add(convId);
          if (!r.created) {
            out.updated.push(r.message);
            continue;
          }
          out.created.push(r.message);
          let t = touches.get(convId);
          if (!t) touches.set(convId, (t = this.conversations.startTouch(convId)));
          foldMessage(t, r.id, rm.createdAt, rm.direction, o.live);
        }
        for (const t of touches.values()) this.conversations.writeTouch(t);
      })
      .immediate();
    return out;
  }
}

/** The inbox's repos on one connection, wired together (the search index tidies on the app's only). */
export function inboxRepos(db: Sqlite, o: { tidiesSearchIndex: boolean }) {
  const searchIndex = new SearchIndex(db, { tidies: o.tidiesSearchIndex });
  const customers = new CustomersRepo(db);
  const conversations = new ConversationsRepo(db, new ContactsRepo(db, searchIndex, customers), searchIndex);
  const messages = new MessagesRepo(db, conversations, searchIndex);
  return { searchIndex, customers, conversations, messages, ingest: new Ingest(db, conversations, messages) };
}
