// Ops: what desktops upload from their queues, each with its client id, applied at most once. Each op first
// claims its id (a repeat answers 'duplicate'); an op that is not applied (conflict, rejected) is refused before
// it writes anything, and its claim is withdrawn, so it changes nothing. Each applied op appends the changed
// conversation (or note) to the feed and a row to the audit trail; a reply goes to the hub's outbox.
//
// A request's ops share one transaction: the feed lock is held from a transaction's feed append to its commit
// (hub/db/database.ts), so commits are serialized and one per op would cap the team at one op per commit's
// flush. Savepoints per op would work too, but a batch of 500 would overflow PostgreSQL's cache of a
// transaction's subtransactions and slow every reader. The batch locks its conversations first, in id order
// (after their channels' write locks when it holds a reply, the order sync takes them), so two batches never
// deadlock; two claims of one conversation still serialize on its row, and the later one is the conflict.
import type { FastifyPluginAsync } from 'fastify';
import { Op, hubRoutes, type OpResult } from '../../../main/contract/hub';
import type { HubDatabase, Tx } from '../../db/database';
import type { AgentRow } from '../../db/sessions';
import { conversationViews } from '../../db/views';
import { appendAudit, activeAgent, type AuditEntry } from '../../db/team';
import {
  claimAndChangeConversations,
  claimOp,
  compareAndSetAssignee,
  insertNote,
  lockConversations,
  markRead,
  withdrawOp,
  type ConversationChange,
} from '../../db/ops';
import { queueReply } from '../../db/outbox';
import { hubRoute } from '../contract';

/** An op that is answered without being applied; thrown before the op wrote anything (queueReply refuses so too). */
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

/** What a batch's applied ops leave to its end: the conversations they changed and their audit rows. */
interface BatchLog {
  changed: Set<number>;
  audit: AuditEntry[];
}

function audited(log: BatchLog, agent: AgentRow, op: Op, detail: Record<string, unknown>): void {
  log.audit.push({
    teamId: agent.teamId,
    agentId: agent.id,
    action: `conversation.${op.kind}`,
    target: op.conversationId,
    detail: { op: op.id, ...detail },
  });
}

/** Applies a claimed op (not a conversation change) inside the batch's transaction; throws NotApplied when it is answered otherwise. */
async function apply(t: Tx, log: BatchLog, agent: AgentRow, op: Op, conversationId: number): Promise<void> {
  const { teamId } = agent;
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
      log.changed.add(conversationId);
      return audited(log, agent, op, { assigneeId: op.assigneeId, was: op.expectedAssigneeId });
    }
    case 'note': {
      const note = await insertNote(t, teamId, conversationId, agent.id, op.text);
      if (!note) throw noConversation(op);
      t.change({ teamId, kind: 'note', conversationId, data: note });
      return audited(log, agent, op, { note: note.id });
    }
    case 'read':
      // Read state is the agent's own, not the team's: no feed change, nothing to audit.
      if (!(await markRead(t, teamId, conversationId, agent.id))) throw noConversation(op);
      return;
    case 'reply': {
      // queueReply appends the message and the conversation to the feed itself.
      const queued = await queueReply(t, {
        teamId,
        conversationId,
        text: op.text,
        authorId: agent.id,
        idempotencyKey: `op:${teamId}:${op.id}`,
      });
      if ('rejected' in queued) throw rejected(op.id, queued.rejected);
      return audited(log, agent, op, { message: String(queued.messageId) });
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

  /** One valid op that is not a conversation change, inside the batch's transaction. */
  async function run(
    t: Tx,
    log: BatchLog,
    agent: AgentRow,
    op: Op,
    conversationId: number,
  ): Promise<OpResult> {
    const claim = { teamId: agent.teamId, opId: op.id, agentId: agent.id, kind: op.kind };
    if (!(await claimOp(t, claim))) return { id: op.id, status: 'duplicate' };
    try {
      await apply(t, log, agent, op, conversationId);
      return { id: op.id, status: 'applied' };
    } catch (e) {
      if (!(e instanceof NotApplied)) throw e;
      await withdrawOp(t, agent.teamId, op.id);
      return e.result;
    }
  }

  /** The batch's status, tags and snooze ops, claimed and applied in one statement; their results by op. */
  async function runConversationChanges(
    t: Tx,
    log: BatchLog,
    agent: AgentRow,
    valid: { op: Op; conversationId: number }[],
  ): Promise<Map<{ op: Op }, OpResult>> {
    const changes = valid.flatMap((c) => {
      const change = conversationChangeOf(c.op);
      return change ? [{ c, change }] : [];
    });
    const outcomes = await claimAndChangeConversations(
      t,
      agent.teamId,
      agent.id,
      changes.map(({ c, change }) => ({
        opId: c.op.id,
        kind: c.op.kind,
        conversationId: c.conversationId,
        change,
      })),
    );
    const results = new Map<{ op: Op }, OpResult>();
    changes.forEach(({ c, change }, i) => {
      const outcome = outcomes[i]!;
      if (outcome === 'applied') {
        log.changed.add(c.conversationId);
        audited(log, agent, c.op, { ...change });
      }
      results.set(
        c,
        outcome === 'not_found' ? noConversation(c.op).result : { id: c.op.id, status: outcome },
      );
    });
    return results;
  }

  async function runBatch(agent: AgentRow, raws: { id: string }[]): Promise<OpResult[]> {
    const checked = raws.map((raw): { op: Op; conversationId: number } | OpResult => {
      const parsed = Op.safeParse(raw);
      if (!parsed.success) return { id: raw.id, status: 'rejected', reason: reasonOf(parsed.error) };
      const op = parsed.data;
      if (!/^\d{1,15}$/.test(op.conversationId)) return noConversation(op).result;
      return { op, conversationId: Number(op.conversationId) };
    });
    const valid = checked.filter((c) => 'op' in c);
    if (!valid.length) return checked as OpResult[];
    return db.tx(async (t) => {
      await lockConversations(
        t,
        agent.teamId,
        valid.map((c) => c.conversationId),
        valid.some((c) => c.op.kind === 'reply'),
      );
      const log: BatchLog = { changed: new Set(), audit: [] };
      const changed = await runConversationChanges(t, log, agent, valid);
      const results: OpResult[] = [];
      for (const c of checked)
        results.push('op' in c ? (changed.get(c) ?? (await run(t, log, agent, c.op, c.conversationId))) : c);
      // Each changed conversation goes to the feed once, as the batch left it: a follower applying whole
      // conversations in seq order ends where it would after one change per op.
      for (const view of await conversationViews(t, [...log.changed]))
        t.change({ teamId: agent.teamId, kind: 'conversation', conversationId: Number(view.id), data: view });
      await appendAudit(t, ...log.audit);
      return results;
    });
  }

  return async (app) => {
    hubRoute(app, hubRoutes.ops, 'agent', async ({ body, req }) => {
      const results = await runBatch(req.agent, body.ops);
      if (results.some((r, i) => r.status === 'applied' && body.ops[i]!.kind === 'reply')) work.kick();
      return { results };
    });
  };
}
