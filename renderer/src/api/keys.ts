// react-query keys, in one place so live updates and views agree on them.
import type { InboxFilters } from '../app/store';

export const keys = {
  channels: ['channels'] as const,
  /** Asked again whenever the channel's state changes (its status or error, pushed by channel.updated). */
  channelDiagnostics: (c: { id: string; status: string; error?: string }) =>
    ['channel-diagnostics', c.id, c.status, c.error ?? null] as const,
  conversationLists: ['conversations'] as const,
  conversationList: (filters: InboxFilters) => ['conversations', filters] as const,
  conversation: (id: string) => ['conversation', id] as const,
  /** Conversation tags in use, for the inbox's tag filter. */
  tags: ['tags'] as const,
  savedViews: ['saved-views'] as const,
  /** A customer: its contacts, conversations across channels and note. */
  customer: (id: string) => ['customer', id] as const,
  /** Conversations with unread messages, for the title (see app/unreadTitle.ts). */
  unreadConversations: ['unread-conversations'] as const,
  messages: (conversationId: string) => ['messages', conversationId] as const,
  outbox: ['outbox'] as const,
  templates: ['templates'] as const,
  settings: ['settings'] as const,
  /** Team mode: the hub this desktop is signed in to (null in solo mode), its agents, a conversation's notes. */
  team: ['team'] as const,
  agents: ['agents'] as const,
  /** The whole team, deactivated agents too (the admin screens). */
  teamAgents: ['team-agents'] as const,
  notes: (conversationId: string) => ['notes', conversationId] as const,
  broadcasts: ['broadcasts'] as const,
  flows: ['flows'] as const,
  search: (q: string, filters: object) => ['search', q, filters] as const,
  broadcastPreview: (request: unknown) => ['broadcast-preview', request] as const,
  /** By status too, so a broadcast that finishes shows its recipients' final state. */
  broadcastRecipients: (id: string, status: string) => ['broadcast-recipients', id, status] as const,
};
