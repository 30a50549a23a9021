// Two whole desktops on the team, as agents work: web-mode cores (each its own SQLite cache) signed in to the hub
// as two agents, one per instance, each watched through its local API's socket.io as a window is. A push says
// when to look; what is timed is the moment the local API answers with the change:
//  - a customer message at the provider (ChatAPI, realtime) until both desktops list it in its conversation;
//  - an assignment made through desktop A's local API until desktop B's shows the new assignee.
import { io, type Socket } from 'socket.io-client';
import { createCore, type Core } from '../../../main/core';
import type { Conversation, Message } from '../../../main/contract/schemas';
import type { TeamState } from '../../../main/contract/team';
import { summarize, sleep } from '../stats';
import { localApi, type LocalApi } from './join';

interface Desktop {
  core: Core;
  call: LocalApi;
  window: Socket;
  agentId: string;
}

/** How long a change may take to reach a desktop before it counts as missing. */
const MISSING_AFTER_MS = 10_000;

async function openDesktop(o: {
  dataDir: string;
  hubUrl: string;
  email: string;
  password: string;
}): Promise<Desktop> {
  const core = await createCore({ dataDir: o.dataDir, log: () => undefined });
  const call = localApi(core);
  const signedIn = await call<TeamState>('PUT', '/api/v1/team', {
    hubUrl: o.hubUrl,
    email: o.email,
    password: o.password,
  });
  // Online: the snapshot is stored whole and the feed followed from its head.
  for (let waited = 0; (await call<TeamState>('GET', '/api/v1/team')).status !== 'online'; waited += 100) {
    if (waited > 60_000) throw new Error(`${o.email}'s desktop not online within 60 s of signing in`);
    await sleep(100);
  }
  const window = io(core.url, { auth: { token: core.token }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    window.once('connect', () => resolve());
    window.once('connect_error', (e) => reject(e));
  });
  return { core, call, window, agentId: signedIn.agent.id };
}

/**
 * The moment (performance.now()) a desktop's local API first answers `check` with true, asked on each push of
 * `event` that `relevant` picks out, with that push; null after MISSING_AFTER_MS.
 */
function answered<E>(
  d: Desktop,
  event: string,
  relevant: (payload: E) => boolean,
  check: (payload: E) => Promise<boolean>,
): Promise<{ at: number; payload: E } | null> {
  return new Promise((resolve) => {
    const done = (result: { at: number; payload: E } | null) => {
      d.window.off(event, onPush);
      clearTimeout(timer);
      resolve(result);
    };
    const onPush = (payload: E) => {
      if (relevant(payload)) void check(payload).then((ok) => ok && done({ at: performance.now(), payload }));
    };
    const timer = setTimeout(() => done(null), MISSING_AFTER_MS);
    d.window.on(event, onPush);
  });
}

const listsMessage = async (d: Desktop, m: Message) =>
  (
    await d.call<{ items: Message[] }>('GET', `/api/v1/conversations/${m.conversationId}/messages?limit=20`)
  ).items.some((x) => x.id === m.id);

export async function measureDesktops(o: {
  desktops: { dataDir: string; hubUrl: string; email: string }[];
  password: string;
  /** A customer writes `text` at the provider, always as the same customer. */
  customerWrites: (text: string) => void;
  messages: number;
  assignments: number;
}): Promise<{
  message_to_both_ms: ReturnType<typeof summarize> & { missing: number };
  assignment_to_other_ms: ReturnType<typeof summarize> & { missing: number };
}> {
  const desktops: Desktop[] = [];
  try {
    for (const d of o.desktops) desktops.push(await openDesktop({ ...d, password: o.password }));
    const [a, b] = desktops as [Desktop, Desktop];

    const toBoth: number[] = [];
    let conversationOn: string[] = [];
    for (let i = 0; i < o.messages; i++) {
      const text = `desktop probe ${i} ${Date.now()}`;
      const onEach = desktops.map((d) =>
        answered<Message>(
          d,
          'message.created',
          (m) => m.text === text,
          (m) => listsMessage(d, m),
        ),
      );
      const sent = performance.now();
      o.customerWrites(text);
      const seen = await Promise.all(onEach);
      if (seen.every((s) => s !== null)) {
        toBoth.push(Math.max(...seen.map((s) => s.at)) - sent);
        conversationOn = seen.map((s) => s.payload.conversationId);
      }
      await sleep(200);
    }
    const [onA, onB] = conversationOn;
    if (!onA || !onB) throw new Error('no customer message reached both desktops');

    const toOther: number[] = [];
    let assignee = (await a.call<Conversation>('GET', `/api/v1/conversations/${onA}`)).assigneeId ?? null;
    for (let i = 0; i < o.assignments; i++) {
      const to = desktops[i % 2]!.agentId;
      const onOther = answered<Conversation>(
        b,
        'conversation.updated',
        (c) => c.id === onB && c.assigneeId === to,
        async () => (await b.call<Conversation>('GET', `/api/v1/conversations/${onB}`)).assigneeId === to,
      );
      const made = performance.now();
      await a.call('PATCH', `/api/v1/conversations/${onA}`, { assigneeId: to, expectedAssigneeId: assignee });
      const seen = await onOther;
      if (seen) toOther.push(seen.at - made);
      assignee = to;
      await sleep(200);
    }
    return {
      message_to_both_ms: { ...summarize(toBoth), missing: o.messages - toBoth.length },
      assignment_to_other_ms: { ...summarize(toOther), missing: o.assignments - toOther.length },
    };
  } finally {
    for (const d of desktops) {
      d.window.close();
      await d.core.close();
    }
  }
}
