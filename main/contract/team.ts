// Team mode in the local API (issue 20): signing in to a hub, the team's agents, internal notes and what the
// upload queue could not do. The hub's own API is ./hub.ts; an agent is the same `{id, email, name, role}` in both.
import { z } from 'zod';
import { Id } from '../domain/entities';
import { Agent, AgentCreate, AgentPatch, TeamAgent } from './hub';

export { Agent, AgentParams, TeamAgent } from './hub';

export const TeamConnect = z.strictObject({
  hubUrl: z.url({ protocol: /^https?$/ }).max(2000),
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(200),
});
export type TeamConnect = z.infer<typeof TeamConnect>;

/**
 * connecting: signed in, the first snapshot or a reconnect under way; online: following the hub's feed;
 * offline: the hub cannot be reached (reads and writes go on locally, writes wait in the upload queue);
 * signed_out: the hub refused the session (revoked, agent deactivated): sign in again.
 */
export const TeamStatus = z.enum(['connecting', 'online', 'offline', 'signed_out']);
export type TeamStatus = z.infer<typeof TeamStatus>;

/** A team write the hub did not apply: a stale claim ('conflict') or one it refused ('rejected'), with why. */
export const TeamProblem = z.object({
  opId: z.string(),
  kind: z.string(),
  conversationId: Id,
  status: z.enum(['conflict', 'rejected']),
  reason: z.string(),
  at: z.string(),
});
export type TeamProblem = z.infer<typeof TeamProblem>;

export const TeamState = z
  .object({
    hubUrl: z.string(),
    agent: Agent,
    status: TeamStatus,
    /** Writes waiting in the upload queue. */
    queued: z.number().int(),
    /** The latest writes the hub did not apply (newest first, at most 50). */
    problems: z.array(TeamProblem),
    /**
     * The first snapshot: conversations stored from it so far; done once its last page was applied and the
     * feed is followed from there.
     */
    snapshot: z.object({ done: z.boolean(), conversations: z.number().int() }),
  })
  .describe('GET /api/v1/team answers null in solo mode (no hub).');
export type TeamState = z.infer<typeof TeamState>;

export const TeamDisconnectQuery = z.strictObject({
  /**
   * false (default): the team's channels, conversations, messages and notes are deleted from this desktop;
   * true: they stay, read-only, until the desktop signs in to a hub again (nothing syncs them in solo mode).
   */
  keepCache: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export const NoteCreate = z.strictObject({ text: z.string().trim().min(1).max(20_000) });

/** An internal note: never sent to a provider. queued: written here, not yet applied by the hub. */
export const TeamNote = z.object({
  id: Id,
  conversationId: Id,
  authorId: Id.nullable(),
  authorName: z.string().nullable(),
  text: z.string(),
  createdAt: z.string(),
  status: z.enum(['queued', 'applied', 'rejected']),
});
export type TeamNote = z.infer<typeof TeamNote>;

/** Admins: invite an agent; the desktop makes a one-time password for it (shown once, kept nowhere here). */
export const AgentInvite = AgentCreate.omit({ password: true });
export type AgentInvite = z.infer<typeof AgentInvite>;
export const AgentInvited = z.object({
  agent: TeamAgent,
  /** The new agent's first password: shown to the admin once, to hand over; neither the hub nor this desktop shows it again. */
  password: z.string(),
});
export type AgentInvited = z.infer<typeof AgentInvited>;
/** Admins: rename, change role, deactivate (active: false) or reactivate an agent. */
export const TeamAgentPatch = AgentPatch.omit({ password: true });
export type TeamAgentPatch = z.infer<typeof TeamAgentPatch>;
