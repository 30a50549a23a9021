// What the InstantChat connector has learned at run time about the readings it took where the document is
// silent, phrased for a support engineer (ProviderConnector.diagnostics). In memory only, no requests.
import type { Diagnostic } from '../../domain/entities';
import type { RemoteMessage } from '../../domain/remote';
import type { Placement } from './realtime';

/** The connected Instagram account, as GET /api/instagram/status last answered. */
export type PageStatus =
  | { kind: 'unknown' }
  | { kind: 'connected'; username: string | null; pageId: string | null }
  | { kind: 'disconnected' }
  | { kind: 'unavailable'; error: string };

/** Replies remembered until their listed copy is seen (enough for the ones in flight between two polls). */
const MAX_WATCHED_REPLIES = 50;
/** A listed copy may carry a time a little before the one send-message answered. */
const LISTED_EARLIER_MS = 60_000;

interface WatchedReply {
  conversationId: string;
  text: string;
  sentId: string;
  /** The time send-message answered, in ms: an older message with the same text is not its copy. */
  sentAt: number;
}

export class Readings {
  page: PageStatus = { kind: 'unknown' };
  private auth: { kind: 'login' | 'token'; worked: boolean };
  private realtime: { state: 'never' | 'live' | 'down'; reason?: string; since?: string } = {
    state: 'never',
  };
  private readonly placed: Record<'conversationId' | 'sender' | 'none', number> = {
    conversationId: 0,
    sender: 0,
    none: 0,
  };
  private readonly watched: WatchedReply[] = [];
  /** How the listed copy of a reply this app sent came back, once seen. */
  private listedId: 'same' | 'own' | null = null;
  private listedDirection: 'out' | 'in' | 'inferred' | null = null;
  private inferredSeen = false;
  private threads = 0;

  constructor(credentials: 'login' | 'token') {
    this.auth = { kind: credentials, worked: false };
  }

  get pageUsername(): string | null {
    return this.page.kind === 'connected' ? this.page.username : null;
  }

  authWorked(): void {
    this.auth.worked = true;
  }

  realtimeState(state: 'live' | 'down', reason?: string): void {
    this.realtime = { state, reason, since: new Date().toISOString() };
  }

  eventPlaced(by: Placement): void {
    this.placed[by ?? 'none']++;
  }

  threadsListed(count: number): void {
    this.threads = count;
  }

  replySent(conversationId: string, text: string, sent: { externalId: string; createdAt: string }): void {
    this.watched.push({ conversationId, text, sentId: sent.externalId, sentAt: Date.parse(sent.createdAt) });
    if (this.watched.length > MAX_WATCHED_REPLIES) this.watched.shift();
  }

  /**
   * Messages read back from threads: the listed copy of a watched reply shows how the provider lists the app's
   * replies. Copies that may be the page's come first, so a customer quoting the reply is not taken for it.
   */
  listed(messages: RemoteMessage[]): void {
    this.inferredSeen ||= messages.some((m) => m.directionInferred);
    if (!this.watched.length) return;
    const isCustomers = (m: RemoteMessage) => m.direction === 'in' && !m.directionInferred;
    for (const m of [...messages.filter((x) => !isCustomers(x)), ...messages.filter(isCustomers)]) {
      const i = this.watched.findIndex(
        (w) =>
          w.conversationId === m.conversationExternalId &&
          w.text === m.text &&
          Date.parse(m.createdAt) >= w.sentAt - LISTED_EARLIER_MS,
      );
      if (i < 0) continue;
      const [reply] = this.watched.splice(i, 1);
      this.listedId = m.externalId === reply.sentId ? 'same' : 'own';
      this.listedDirection = m.directionInferred ? 'inferred' : m.direction;
    }
  }

  diagnostics(): Diagnostic[] {
    return [
      this.authDiagnostic(),
      this.identity(),
      this.direction(),
      this.sendIds(),
      this.realtimeLink(),
      this.realtimeEvents(),
      {
        topic: 'discovery',
        reading: `New threads are found by reading the whole conversation list each poll (the document shows no pagination); ${this.threads} listed last time`,
        confirmed: false,
      },
    ];
  }

  private authDiagnostic(): Diagnostic {
    return this.auth.kind === 'token'
      ? {
          topic: 'auth',
          reading:
            'Uses the JWT given as is; the document has no way to renew one, so when InstantChat stops taking it the channel asks for new credentials',
          confirmed: this.auth.worked,
        }
      : {
          topic: 'auth',
          reading:
            'Logs in with username and password (POST /api/auth/login), and again when a token is refused',
          confirmed: this.auth.worked,
        };
  }

  private identity(): Diagnostic {
    const p = this.page;
    switch (p.kind) {
      case 'connected':
        return {
          topic: 'identity',
          reading: `Instagram account @${p.username ?? '?'} (page ${p.pageId ?? '?'}), from GET /api/instagram/status`,
          confirmed: true,
        };
      case 'disconnected':
        return {
          topic: 'identity',
          reading:
            'GET /api/instagram/status says no Instagram account is connected: no threads to sync, and replies fail until one is',
          confirmed: true,
        };
      case 'unavailable':
        return {
          topic: 'identity',
          reading: `The connected Instagram account is unknown: GET /api/instagram/status failed (${p.error})`,
          confirmed: false,
        };
      default:
        return { topic: 'identity', reading: 'GET /api/instagram/status not read yet', confirmed: false };
    }
  }

  private direction(): Diagnostic {
    const rule =
      'isFromUser says which messages are the page\'s own (the document pairs true with sender "you"); without it, sender "you" or the account\'s username; anything else is taken for the customer\'s unless it matches a reply this app sent';
    const missing = this.inferredSeen ? '; some listed messages carried no isFromUser' : '';
    if (this.listedDirection === 'in')
      return {
        topic: 'direction',
        reading: `isFromUser was false on a reply this app sent: InstantChat reads the field the other way, so customers' and the page's messages may be swapped`,
        confirmed: false,
      };
    return {
      topic: 'direction',
      reading: `${rule}${missing}`,
      confirmed: this.listedDirection === 'out' && !this.inferredSeen,
    };
  }

  private sendIds(): Diagnostic {
    const reading = {
      same: 'Seen: the thread lists a reply under the id send-message answered',
      own: "Seen: the thread lists a reply under an id of its own, not send-message's messageId; replies are matched to it by conversation and text",
      unseen:
        "send-message's messageId (mid_… in the document) is not taken for the thread's id (msg_…): a reply's listed copy is matched to it by conversation and text",
    }[this.listedId ?? 'unseen'];
    return { topic: 'send', reading, confirmed: this.listedId !== null };
  }

  private realtimeLink(): Diagnostic {
    const r = this.realtime;
    if (r.state === 'live')
      return { topic: 'realtime', reading: `socket.io connected since ${r.since}`, confirmed: true };
    if (r.state === 'down')
      return {
        topic: 'realtime',
        reading: `socket.io down since ${r.since} (${r.reason ?? 'no reason given'}): new messages come by polling`,
        confirmed: false,
      };
    return { topic: 'realtime', reading: 'socket.io not connected yet', confirmed: false };
  }

  private realtimeEvents(): Diagnostic {
    const { conversationId, sender, none } = this.placed;
    return {
      topic: 'realtime events',
      reading:
        "A message event is placed by its conversationId, else by its sender among the listed threads' usernames, else the thread list is read again" +
        ` (so far: ${conversationId} by conversationId, ${sender} by sender, ${none} read again)`,
      confirmed: conversationId + sender > 0,
    };
  }
}
