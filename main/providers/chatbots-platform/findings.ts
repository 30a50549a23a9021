// What the Chatbots Platform connector assumed where its document is silent, and what the provider's answers
// have confirmed since: counters and states kept in memory as the connector works, turned into diagnostics.
import type { Diagnostic } from '../../domain/entities';
import type { RemoteConversation, RemoteMessage } from '../../domain/remote';
import type { SignedOver } from './webhook';

export type Realtime =
  | { state: 'idle' }
  | { state: 'unreachable'; reason: string }
  | { state: 'registered'; events: string[] }
  | { state: 'failed'; reason: string };

/** What a poll round may spend, and how often rounds come without webhooks. */
export interface PollBudget {
  listPages: number;
  conversations: number;
  pollEverySec: number;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export class Findings {
  realtime: Realtime = { state: 'idle' };
  /** Where API paths start: '/v1' or '' once detected. */
  version: string | null = null;
  /** The rate limit the provider's X-RateLimit-Limit header last gave. */
  reportedLimit: number | null = null;
  private authors = { out: 0, inbound: 0, none: 0 };
  /** How the provider's answer to the app's own send read: its author field confirms (or not) the reading. */
  private ownSend: 'out' | 'in' | null = null;
  private contacts = { named: 0, stoodIn: 0 };
  private delivery: { at: number; signedOver: SignedOver; stale: number } | null = null;
  /** The first page of the latest list scan proved the list sorted by activity (null: no scan yet). */
  private listOrdered: boolean | null = null;
  /** A scan the round's budget cut short goes on in the next round; the most rounds one took. */
  private longestScan = 0;
  private deploys = { done: 0, readActive: 0 };

  messages(ms: RemoteMessage[]): void {
    for (const m of ms) {
      if (m.direction === 'out') this.authors.out++;
      else if (m.meta?.sender) this.authors.inbound++;
      else this.authors.none++;
    }
  }

  sent(m: RemoteMessage): void {
    this.ownSend = m.direction === 'out' ? 'out' : 'in';
  }

  conversations(cs: RemoteConversation[]): void {
    for (const c of cs) {
      if (c.contact.externalId.startsWith('conversation:')) this.contacts.stoodIn++;
      else this.contacts.named++;
    }
  }

  delivered(signedOver: SignedOver, stale: boolean): void {
    this.delivery = {
      at: Date.now(),
      signedOver,
      stale: (this.delivery?.stale ?? 0) + (stale ? 1 : 0),
    };
  }

  scanned(firstPageOrdered: boolean | null, rounds: number): void {
    if (firstPageOrdered !== null) this.listOrdered = firstPageOrdered;
    this.longestScan = Math.max(this.longestScan, rounds);
  }

  deployed(active: boolean): void {
    this.deploys.done++;
    if (active) this.deploys.readActive++;
  }

  list(budget: PollBudget, limitPerMinute: number): Diagnostic[] {
    return [
      this.direction(),
      this.realtimeItem(budget.pollEverySec),
      this.signature(),
      this.send(),
      this.contactItem(),
      this.flows(),
      this.poll(budget, limitPerMinute),
      {
        topic: 'version',
        reading:
          this.version === null
            ? 'API version: /api/v1 (the current version) is tried first, unversioned /api paths after a 404'
            : `API version: the provider answers under ${this.version === '' ? 'unversioned /api paths' : '/api/v1'}`,
        confirmed: this.version !== null,
      },
    ];
  }

  private direction(): Diagnostic {
    const { out, inbound, none } = this.authors;
    const base =
      'direction: the document defines no message fields. A message whose author field names the business ' +
      "(agent, bot, …) is outbound; any other is inbound by inference, and the app's own replies are " +
      'recognised by conversation and text';
    const seen = `; so far ${plural(out, 'message')} named the business, ${inbound} the customer, ${none} no author`;
    const own =
      this.ownSend === 'out'
        ? "; the provider's answer to this app's own send named the business"
        : this.ownSend === 'in'
          ? "; the provider's answer to this app's own send named no business author: direction is inferred"
          : '';
    return { topic: 'direction', reading: base + seen + own, confirmed: this.ownSend === 'out' };
  }

  private realtimeItem(pollEverySec: number): Diagnostic {
    const r = this.realtime;
    const polling = `polling every ${pollEverySec} s`;
    if (r.state === 'idle')
      return { topic: 'realtime', reading: `webhooks not registered yet; ${polling}`, confirmed: false };
    if (r.state === 'unreachable') return { topic: 'realtime', reading: r.reason, confirmed: true };
    if (r.state === 'failed')
      return {
        topic: 'realtime',
        reading: `webhook registration failed (${r.reason}); ${polling}`,
        confirmed: false,
      };
    const d = this.delivery;
    const events = r.events.join(', ');
    return {
      topic: 'realtime',
      reading: d
        ? `webhooks registered (${events}); the last signed delivery arrived ${new Date(d.at).toISOString()}`
        : `webhooks registered (${events}); no delivery has arrived yet`,
      confirmed: d !== null,
    };
  }

  private signature(): Diagnostic {
    const d = this.delivery;
    const how =
      'webhook signature: the body\'s top-level "signature", HMAC-SHA256 of the bytes received without it ' +
      "or of JSON.stringify of the rest (the document's function); no timestamp window, replays refused by " +
      'signature; deliveries more than 10 minutes old are re-read from the API instead of applied';
    const seen = d
      ? `; deliveries so far were signed over ${d.signedOver === 'bytes' ? 'the bytes sent' : "the document's JSON.stringify"}${d.stale ? `, ${plural(d.stale, 'late one')} re-read` : ''}`
      : '';
    return { topic: 'webhook signature', reading: how + seen, confirmed: d !== null };
  }

  private send(): Diagnostic {
    return {
      topic: 'send',
      reading:
        'send: POST /conversations/{id}/messages {text} (the SDK example); no idempotency key exists, so a ' +
        'send whose outcome is unknown is looked for by text (findSent) before anything is sent again',
      confirmed: this.ownSend !== null,
    };
  }

  private contactItem(): Diagnostic {
    const { named, stoodIn } = this.contacts;
    return {
      topic: 'contacts',
      reading:
        "contacts: read from a conversation's contact object (undocumented); without a contact id the " +
        `conversation stands for its contact; so far ${named} named, ${stoodIn} stood in for`,
      confirmed: named > 0 && stoodIn === 0,
    };
  }

  private flows(): Diagnostic {
    const { done, readActive } = this.deploys;
    return {
      topic: 'flows',
      reading:
        'flows: switching a chatbot on is POST /chatbots/{id}/deploy; the document has no way to switch one ' +
        'off (PUT /chatbots/{id} takes an undocumented body that could overwrite the chatbot), so the app ' +
        `refuses to; whether a chatbot is on is read from its status field${done ? `; ${readActive} of ${plural(done, 'deploy')} read back as on` : ''}`,
      confirmed: done > 0 && readActive === done,
    };
  }

  private poll(b: PollBudget, limitPerMinute: number): Diagnostic {
    const order =
      this.listOrdered === null
        ? 'its order is not known yet'
        : this.listOrdered
          ? 'the server lists it by latest activity, so a round stops at the last one seen'
          : 'its order is not proven, so rounds walk all of it (at most 50 pages), a few pages each' +
            (this.longestScan > 1 ? `; the longest walk took ${this.longestScan} rounds` : '');
    const limit =
      this.reportedLimit === null
        ? `${limitPerMinute} requests/min (standard tier) assumed`
        : `the provider reports ${this.reportedLimit} requests/min; the app stays under ${limitPerMinute}`;
    return {
      topic: 'poll',
      reading:
        `poll: at most ${b.listPages} conversation-list pages and ${b.conversations} conversations' messages ` +
        `per round, the rest in the next round; ${order}; ${limit}`,
      confirmed: this.listOrdered === true && this.reportedLimit === limitPerMinute,
    };
  }
}
