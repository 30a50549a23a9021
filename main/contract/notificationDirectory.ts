// Contact and channel names for notifications. `message.created` carries only the conversation id, so
// conversations and channels are remembered from `conversation.updated` / `channel.updated` events and
// fetched from the local API when not seen yet. Pure, shared by the desktop shell and the renderer.
import type { Channel, Conversation, Message } from '../domain/entities';
import type { IncomingMessage } from './notificationPolicy';

export interface DirectorySource {
  getConversation(id: string): Promise<Conversation>;
  listChannels(): Promise<Channel[]>;
}

type ConversationNames = Pick<Conversation, 'id' | 'channelId' | 'contact'>;

const MAX_REMEMBERED_CONVERSATIONS = 2_000;

export class Directory {
  private readonly conversations = new Map<string, ConversationNames>();
  private readonly channelNames = new Map<string, string>();

  constructor(private readonly source: DirectorySource) {}

  rememberConversation(c: Conversation): void {
    this.conversations.delete(c.id);
    this.conversations.set(c.id, { id: c.id, channelId: c.channelId, contact: c.contact });
    if (this.conversations.size > MAX_REMEMBERED_CONVERSATIONS) {
      const oldest = this.conversations.keys().next().value;
      if (oldest !== undefined) this.conversations.delete(oldest);
    }
  }

  rememberChannel(c: Pick<Channel, 'id' | 'name'>): void {
    this.channelNames.set(c.id, c.name);
  }

  /** The message with its contact and channel names; null when its conversation is unknown to the API. */
  async describe(message: Message): Promise<IncomingMessage | null> {
    const conversation = await this.conversation(message.conversationId);
    if (!conversation) return null;
    return {
      message,
      channelId: conversation.channelId,
      channelName: await this.channelName(conversation.channelId),
      contactId: conversation.contact.id,
      contactName: conversation.contact.name || conversation.contact.handle || 'Customer',
    };
  }

  private async conversation(id: string): Promise<ConversationNames | null> {
    const known = this.conversations.get(id);
    if (known) return known;
    try {
      const fetched = await this.source.getConversation(id);
      this.rememberConversation(fetched);
      return fetched;
    } catch {
      return null;
    }
  }

  private async channelName(id: string): Promise<string> {
    const known = this.channelNames.get(id);
    if (known !== undefined) return known;
    try {
      for (const channel of await this.source.listChannels()) this.rememberChannel(channel);
    } catch {
      // A notification without the channel name is still worth showing.
    }
    return this.channelNames.get(id) ?? 'Agent Inbox';
  }
}
