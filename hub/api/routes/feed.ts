// Following the team: the change feed after a position, and the snapshot a joining desktop loads first.
//
// Why nothing is lost between the snapshot and the feed: the snapshot's first page takes the team's head
// before it reads anything, and carries it in every cursor to the last page, which answers it. Each page reads
// after that head was taken, so a row a page does not see (a conversation or message committed after that
// page's read, or below the cursor once it moved) committed after the head was taken; its transaction appended
// its change under the feed lock at commit, so that change has a seq above the head and the desktop reads it
// from the feed. What a page saw that also changed after the head comes twice, and the desktop applies changes
// idempotently (each carries the whole thing), so the later state wins.
import type { FastifyPluginAsync } from 'fastify';
import { hubRoutes } from '../../../main/contract/hub';
import { ApiError } from '../../../main/api/errors';
import type { HubDatabase } from '../../db/database';
import { feedHead, readChanges, snapshotPage } from '../../db/feed';
import { hubRoute } from '../contract';

const SNAPSHOT_PAGE = 500;

interface SnapshotCursor {
  head: number;
  /** The last conversation id sent (pages go newest first). */
  beforeId: number;
}

const encodeCursor = (c: SnapshotCursor) => Buffer.from(`${c.head}.${c.beforeId}`).toString('base64url');

function decodeCursor(s: string): SnapshotCursor {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(s, 'base64url').toString());
  if (!m) throw new ApiError(400, 'invalid_input', 'Invalid query: cursor is not one this hub gave');
  return { head: Number(m[1]), beforeId: Number(m[2]) };
}

export function feedRoutes(o: { db: HubDatabase }): FastifyPluginAsync {
  const { db } = o;
  return async (app) => {
    hubRoute(app, hubRoutes.changes, 'agent', async ({ query, req }) =>
      readChanges(db, req.agent.teamId, query.after, query.limit),
    );

    hubRoute(app, hubRoutes.snapshot, 'agent', async ({ query, req }) => {
      const cursor = query.cursor ? decodeCursor(query.cursor) : null;
      const head = cursor ? cursor.head : await feedHead(db, req.agent.teamId);
      const page = await snapshotPage(db, req.agent.teamId, cursor?.beforeId ?? null, SNAPSHOT_PAGE);
      const last = page.conversations.at(-1);
      if (!last) return { head };
      return { ...page, nextCursor: encodeCursor({ head, beforeId: Number(last.id) }) };
    });
  };
}
