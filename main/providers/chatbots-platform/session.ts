// Authentication against Chatbots Platform: an API key in X-API-KEY, or a JWT session from
// POST /auth/login, refreshed through POST /auth/refresh shortly before it expires and after any 401.
import type { Credentials } from '../../domain/entities';
import { ProviderError, type ProviderHttp } from '../http';
import { isObj, num, obj, str } from '../parse';

export class Session {
  private accessToken: string | null = null;
  private refreshToken: string | null = null;
  /** When to renew: a little before the access token expires. */
  private renewAt = Infinity;
  private renewing: Promise<void> | null = null;

  constructor(
    private readonly credentials: Credentials,
    private readonly http: ProviderHttp,
  ) {}

  /** Headers that authenticate a request, logging in or refreshing first when needed. */
  async headers(): Promise<Record<string, string>> {
    const c = this.credentials;
    if ('apiKey' in c) return { 'X-API-KEY': c.apiKey };
    // The SDK also takes a ready-made access token; it cannot be refreshed.
    if ('token' in c) return { authorization: `Bearer ${c.token}` };
    if (!this.accessToken || Date.now() >= this.renewAt) await this.renew();
    return { authorization: `Bearer ${this.accessToken}` };
  }

  /** ProviderHttp's refreshAuth: after a 401, renew the session; false when there is nothing to renew. */
  async onUnauthorized(): Promise<boolean> {
    if (!('username' in this.credentials)) return false;
    this.accessToken = null;
    await this.renew();
    return true;
  }

  /** One renewal at a time: concurrent requests share it. */
  private renew(): Promise<void> {
    this.renewing ??= this.refreshOrLogin().finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async refreshOrLogin(): Promise<void> {
    if (this.refreshToken) {
      try {
        return this.accept(
          await this.post('/auth/refresh', { refreshToken: this.refreshToken }),
          'POST /auth/refresh',
        );
      } catch (e) {
        // A refused refresh token (expired, revoked, rotated away) means logging in again; anything else is real.
        if (!(e instanceof ProviderError) || !['auth', 'client', 'not_found'].includes(e.kind)) throw e;
        this.refreshToken = null;
      }
    }
    if (!('username' in this.credentials)) return;
    const { username, password } = this.credentials;
    try {
      this.accept(await this.post('/auth/login', { username, password }), 'POST /auth/login');
    } catch (e) {
      if (e instanceof ProviderError && (e.kind === 'auth' || e.kind === 'client'))
        throw new ProviderError(
          'auth',
          `Chatbots Platform rejected the username or password (${e.message})`,
          e.status,
          undefined,
          e.reason,
        );
      throw e;
    }
  }

  private async post(path: string, json: unknown): Promise<unknown> {
    return (await this.http.request('POST', path, { json, noAuth: true })).body;
  }

  /** Doc: {status, data: {accessToken, refreshToken, expiresIn}}; a bare object is accepted too. */
  private accept(body: unknown, endpoint: string): void {
    const d = isObj(body) && isObj(body.data) ? body.data : obj(body);
    const access = str(d.accessToken ?? d.access_token ?? d.token, '', 8000);
    if (!access) throw new ProviderError('malformed', `${endpoint} returned no accessToken`);
    this.accessToken = access;
    this.refreshToken = str(d.refreshToken ?? d.refresh_token, '', 8000) || this.refreshToken;
    const ttlMs = num(d.expiresIn ?? d.expires_in, 0) * 1000;
    // Renew a quarter of the lifetime (at most a minute) early; without expiresIn, only after a 401.
    this.renewAt = ttlMs > 0 ? Date.now() + ttlMs - Math.min(60_000, ttlMs / 4) : Infinity;
  }
}
