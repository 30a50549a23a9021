// Ops: what desktops upload from their queues, each with its client id, applied at most once. Every op runs in
// its own transaction that first claims its id (a repeat answers 'duplicate'); an op that is not applied
// (conflict, rejected) rolls back, claim included, and changes nothing. Each applied op appends the changed
// conversation (or note) to the feed and a row to the audit trail; a reply goes to the hub's outbox.
import type { FastifyPluginAsync } from 'fastify';
import { Op, hubRoutes, type OpResult } from '../../../main/contract/hub';
import type { HubDatabase, Tx } from '../../db/database';
import type { AgentRow } from '../../db/sessions';
import { conversationViews } from '../../db/views';
import { appendAudit, activeAgent } from '../../db/team';
import {
  changeConversation,
  claimOp,
  compareAndSetAssignee,
  insertNote,
  markRead,
  type ConversationChange,
} from '../../db/ops';
import { queueReply } from '../../db/outbox';
import { hubRoute } from '../contract';

/** An op that is answered without being applied: its transaction rolls back. */
class NotApplied extends Error {
  constructor(readonly result: OpResult) {
    super(result.status);
  }
}

const rejected = (id: string, reason: string) => new NotApplied({ id, status: 'rejected', reason });
const noConversation = (op: Op) =>
  rejected(op.id, `No conversation '${op.conversationId.slice(0, 40)}' in this team`);

function conversationChangeOf(op: Op): ConversationChange | null {
  switch (op.kind) {
    case 'status':
      return { status: op.status };
    case 'tags':
      return { tags: [...new Set(op.tags)] };
    case 'snooze':
      return op.until === null
        ? { status: 'open', snoozedUntil: null }
        : { status: 'snoozed', snoozedUntil: op.until };
    default:
      return null;
  }
}

/** Appends the conversation as it now is to the feed, and who changed what to the audit trail. */
async function recordConversationChange(t: Tx, agent: AgentRow, id: number, op: Op): Promise<void> {
  const [view] = await conversationViews(t, [id]);
  t.change({ teamId: agent.teamId, kind: 'conversation', conversationId: id, data: view });
  const { id: opId, kind, conversationId: _, ...detail } = op;
  await appendAudit(t, {
    teamId: agent.teamId,
    agentId: agent.id,
    action: `conversation.${kind}`,
    target: String(id),
    detail: { op: opId, ...detail },
  });
}

/** Applies one valid op inside its transaction; throws NotApplied when it is answered otherwise. */
async function apply(t: Tx, agent: AgentRow, op: Op, conversationId: number): Promise<void> {
  const { teamId } = agent;
  const change = conversationChangeOf(op);
  if (change) {
    if (!(await changeConversation(t, teamId, conversationId, change))) throw noConversation(op);
    return recordConversationChange(t, agent, conversationId, op);
  }
  switch (op.kind) {
    case 'assign': {
      if (op.assigneeId !== null && !(await activeAgent(t, teamId, op.assigneeId)))
        throw rejected(op.id, `No active agent '${op.assigneeId}' in this team`);
      const outcome = await compareAndSetAssignee(
        t,
        teamId,
        conversationId,
        op.assigneeId,
        op.expectedAssigneeId,
      );
      if (!outcome.applied) {
        if (!outcome.current) throw noConversation(op);
        throw new NotApplied({ id: op.id, status: 'conflict', current: outcome.current });
      }
      return recordConversationChange(t, agent, conversationId, op);
    }
    case 'note': {
      const note = await insertNote(t, teamId, conversationId, agent.id, op.text);
      if (!note) throw noConversation(op);
      t.change({ teamId, kind: 'note', conversationId, data: note });
      await appendAudit(t, {
        teamId,
        agentId: agent.id,
        action: 'conversation.note',
        target: String(conversationId),
        detail: { op: op.id, note: note.id },
      });
      return;
    }
    case 'read':
      // Read state is the agent's own, not the team's: no feed change, nothing to audit.
      if (!(await markRead(t, teamId, conversationId, agent.id))) throw noConversation(op);
      return;
    case 'reply': {
      const queued = await queueReply(t, {
        teamId,
        conversationId,
        text: op.text,
        authorId: agent.id,
        idempotencyKey: `op:${teamId}:${op.id}`,
      });
      if ('rejected' in queued) throw rejected(op.id, queued.rejected);
      await appendAudit(t, {
        teamId,
        agentId: agent.id,
        action: 'conversation.reply',
        target: String(conversationId),
        detail: { op: op.id, message: String(queued.messageId) },
      });
      return;
    }
  }
}

function reasonOf(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'op'} ${i.message}`)
    .join('; ');
}

export function opsRoutes(o: { db: HubDatabase; work: { kick(): void } }): FastifyPluginAsync {
  const { db, work } = o;

  async function run(agent: AgentRow, raw: { id: string }): Promise<OpResult> {
    const parsed = Op.safeParse(raw);
    if (!parsed.success) return { id: raw.id, status: 'rejected', reason: reasonOf(parsed.error) };
    const op = parsed.data;
    const conversationId = /^\d{1,15}$/.test(op.conversationId) ? Number(op.conversationId) : null;
    if (conversationId === null) return noConversation(op).result;
    try {
      return await db.tx(async (t) => {
        if (!(await claimOp(t, agent.teamId, op.id, agent.id, op.kind)))
          return { id: op.id, status: 'duplicate' };
        await apply(t, agent, op, conversationId);
        return { id: op.id, status: 'applied' };
      });
    } catch (e) {
      if (e instanceof NotApplied) return e.result;
      throw e;
    }
  }

  return async (app) => {
    hubRoute(app, hubRoutes.ops, 'agent', async ({ body, req }) => {
      const results: OpResult[] = [];
      let replies = 0;
      for (const raw of body.ops) {
        const result = await run(req.agent, raw);
        if (result.status === 'applied' && raw.kind === 'reply') replies++;
        results.push(result);
      }
      if (replies) work.kick();
      return { results };
    });
  };
}
