// JWT sessions of the simulated Chatbots Platform: login issues an access/refresh pair, refresh rotates
// it, logout revokes, and the "expiring tokens" fault invalidates every access token issued so far.
import { createHmac, randomBytes } from 'node:crypto';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface Issued {
  user: string;
  issuedAt: number;
  expiresAt: number;
  generation: number;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export class TokenStore {
  private readonly secret = randomBytes(32);
  private access = new Map<string, Issued>();
  /** refresh token → user */
  private refresh = new Map<string, string>();
  /** Bumped by expireAll(): tokens of an older generation are expired. */
  private generation = 0;

  /** `ttlSec` is read per call so the tokenTtlSec fault applies to tokens already issued too. */
  constructor(private readonly ttlSec: () => number) {}

  issue(user: string): TokenPair {
    const now = Date.now();
    const ttl = this.ttlSec();
    const accessToken = this.jwt({
      sub: user,
      typ: 'access',
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + ttl,
    });
    const refreshToken = this.jwt({ sub: user, typ: 'refresh', iat: Math.floor(now / 1000) });
    this.access.set(accessToken, {
      user,
      issuedAt: now,
      expiresAt: now + ttl * 1000,
      generation: this.generation,
    });
    this.refresh.set(refreshToken, user);
    return { accessToken, refreshToken, expiresIn: ttl };
  }

  /** The user of a valid, unexpired access token. */
  userOf(token: string): string | null {
    const t = this.access.get(token);
    if (!t || t.generation !== this.generation) return null;
    const expiresAt = Math.min(t.expiresAt, t.issuedAt + this.ttlSec() * 1000);
    return Date.now() < expiresAt ? t.user : null;
  }

  /** Whose token this is, expired or not (rate limits count per account). */
  ownerOf(token: string): string | null {
    return this.access.get(token)?.user ?? null;
  }

  /** Doc silent: refresh rotates the pair; the old refresh token stops working. */
  rotate(refreshToken: string): TokenPair | null {
    const user = this.refresh.get(refreshToken);
    if (!user) return null;
    this.refresh.delete(refreshToken);
    return this.issue(user);
  }

  revoke(accessToken: string | null, refreshToken: string | null): void {
    if (accessToken) this.access.delete(accessToken);
    if (refreshToken) this.refresh.delete(refreshToken);
  }

  /** Doc silent on lifetimes: refresh tokens outlive access tokens, so only access tokens expire here. */
  expireAll(): void {
    this.generation++;
  }

  clear(): void {
    this.access.clear();
    this.refresh.clear();
  }

  private jwt(claims: Record<string, unknown>): string {
    const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...claims, jti: randomBytes(8).toString('hex') })}`;
    return `${body}.${createHmac('sha256', this.secret).update(body).digest('base64url')}`;
  }
}
