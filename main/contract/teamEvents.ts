// Team mode's events on the local API's socket.io (issue 20), beside ServerEvents (./schemas.ts): presence — the
// renderer reports what its agent does in a conversation, the core relays it to the hub and pushes back who
// else is there — and internal notes as they are added or settled. Conversation ids are the local API's;
// mapping them to the hub's is the core's business.
import { z } from 'zod';
import { Id } from '../domain/entities';
import type { TeamNote } from './team';

export const TeamPresenceState = z.enum(['viewing', 'typing', 'idle']);
export type TeamPresenceState = z.infer<typeof TeamPresenceState>;

/** Renderer → core, event `team.presence`: re-sent every 10 s while it lasts (the hub forgets what is not); idle ends it. */
export const TeamPresenceReport = z.strictObject({ conversationId: Id, state: TeamPresenceState });
export type TeamPresenceReport = z.infer<typeof TeamPresenceReport>;

/** Core → renderer, event `team.presence`: the other agents in a conversation now (none: it is empty). */
export interface TeamPresence {
  conversationId: string;
  agents: { id: string; name: string; state: 'viewing' | 'typing' }[];
}

/**
 * Core → renderer and shell, event `team.alert`: someone else assigned a conversation to this agent, or
 * @mentioned it in a note. Shown through the notification policy (do-not-disturb, quiet hours, muted channels).
 */
export interface TeamAlert {
  kind: 'assigned' | 'mentioned';
  conversationId: string;
  channelId: string;
  contactName: string;
  /** Who wrote the note (null for an assignment: the feed does not say who assigned). */
  by: string | null;
  /** The note's text, or the conversation's last message. */
  text: string;
}

/** Events the core pushes to the renderer in team mode. */
export interface TeamServerEvents {
  'team.presence': (p: TeamPresence) => void;
  'team.alert': (a: TeamAlert) => void;
  /** A note added (from another desktop, through the hub) or settled (its upload applied or rejected). */
  'team.note': (n: TeamNote) => void;
}
export type TeamServerEventName = keyof TeamServerEvents;

/** Events a renderer emits on the local socket. */
export interface ClientEvents {
  'team.presence': (report: TeamPresenceReport) => void;
}
