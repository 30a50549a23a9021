// Who "me" is: the ChatAPI user the API key belongs to, whose messages are the agent's. The document defines
// no field that says so (GET /clients/me is "client information"), so it comes, in this order, from the user
// id given with the key, a user /clients/me happens to name, or the sender ChatAPI names on this app's own
// POST /messages answers. The last is evidence, not a guess: it overrides the others when they disagree, and
// it is the only reading kept across restarts (in the sync cursors; the rest is read again at start).
import type { Diagnostic } from '../../domain/entities';

type Source = 'credentials' | 'clients-me' | 'own-send';

const SOURCE_TEXT: Record<Source, string> = {
  credentials: 'as given with the API key',
  'clients-me': 'named by GET /clients/me (a field the document does not define)',
  'own-send': "the sender ChatAPI names on this app's own replies (POST /messages answers)",
};

export class OwnIdentity {
  private id: string | null;
  private source: Source | null;
  /** A reply of this app's showed the same user (or the user was learned that way). */
  private confirmed = false;
  /** An earlier reading the app's own replies contradicted, for the diagnostics. */
  private replaced: string | null = null;
  private unnamedSends = 0;

  constructor(givenUserId: string | null) {
    this.id = givenUserId;
    this.source = givenUserId ? 'credentials' : null;
  }

  /** The user id, or null while unknown (every message then counts as the customer's). */
  get me(): string | null {
    return this.id;
  }

  /** Whether this app's own replies showed this user (false while unknown or only given/named). */
  get isConfirmed(): boolean {
    return this.confirmed;
  }

  /** What a sync cursor keeps: only what the app's own replies showed. */
  get learned(): string | undefined {
    return this.confirmed && this.id ? this.id : undefined;
  }

  /** GET /clients/me named a user (or none): used while nothing better is known. */
  namedByClient(userId: string | null): void {
    if (!userId || (this.source !== null && this.source !== 'clients-me')) return;
    this.id = userId;
    this.source = 'clients-me';
  }

  /** The sender named by the answer to one of this app's own POST /messages (null: it named none). */
  sentAs(senderId: string | null): void {
    if (!senderId) {
      this.unnamedSends++;
      return;
    }
    this.adopt(senderId);
  }

  /**
   * A user the app's own replies showed before a restart, as a cursor kept it. It confirms the reading it
   * matches, and stands in for /clients/me's; a user id given with the key (perhaps a new key) waits for a reply.
   */
  restore(userId: unknown): void {
    if (typeof userId !== 'string' || !userId || this.source === 'own-send') return;
    if (userId === this.id) this.confirmed = true;
    else if (this.source !== 'credentials') this.adopt(userId);
  }

  private adopt(userId: string): void {
    if (this.id === userId) {
      this.confirmed = true;
      return;
    }
    if (this.id && this.source) this.replaced = `user ${this.id} (${SOURCE_TEXT[this.source]})`;
    this.id = userId;
    this.source = 'own-send';
    this.confirmed = true;
  }

  diagnostic(): Diagnostic {
    if (!this.id || !this.source) {
      const why = this.unnamedSends
        ? `GET /clients/me names no user and the answers to this app's ${this.unnamedSends} replies named no sender`
        : 'GET /clients/me names no user and this app has sent no reply yet';
      return {
        topic: 'identity',
        reading:
          `unknown yet: ${why}; every message counts as the customer's (the inbox still recognises this ` +
          "app's own replies) until a reply shows which user the API key belongs to, or the user id is given " +
          'with the key',
        confirmed: false,
      };
    }
    const proof =
      this.source === 'own-send'
        ? this.replaced
          ? `; it replaces ${this.replaced}, which they contradict`
          : ''
        : this.confirmed
          ? "; this app's own replies name the same sender"
          : '; no reply sent from this app has confirmed it yet';
    return {
      topic: 'identity',
      reading: `user ${this.id}, ${SOURCE_TEXT[this.source]}${proof}`,
      confirmed: this.confirmed,
    };
  }
}
