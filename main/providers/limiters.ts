// One rate limiter per provider account, shared by everything that calls it. A provider counts the requests
// of an account (its key, its login) at one server, whichever part of the app sends them: the channel's sync,
// its sends and broadcasts, flow toggles, reconciliation after a crash, and the credential test when the
// channel is added or edited. With a limiter each, they overran the documented limit together (ChatPion
// answered the 101st request of a minute with 429 right after a channel was added).
import crypto from 'node:crypto';
import type { Credentials, ProviderId } from '../domain/entities';
import type { ConnectorContext } from './types';
import { RateLimiter, type RateWindow } from './http';

/** Who the provider counts: provider, the server's origin, and a digest of the identity in the credentials. */
function accountKey(provider: ProviderId, baseUrl: string, credentials: Credentials): string {
  const who =
    'apiKey' in credentials
      ? credentials.apiKey
      : 'token' in credentials
        ? credentials.token
        : credentials.username;
  let origin = baseUrl;
  try {
    origin = new URL(baseUrl).origin;
  } catch {
    // not a URL: the connector will say so; the text itself names the account well enough
  }
  return `${provider} ${origin} ${crypto.createHash('sha256').update(who).digest('base64url')}`;
}

export class AccountLimiters {
  private readonly limiters = new Map<string, RateLimiter>();

  /** ConnectorContext.rateLimiter for a connector of this account. */
  for(
    provider: ProviderId,
    baseUrl: string,
    credentials: Credentials,
  ): NonNullable<ConnectorContext['rateLimiter']> {
    const account = accountKey(provider, baseUrl, credentials);
    return (bucket: string, windows: RateWindow[]) => {
      const key = `${account} ${bucket}`;
      let limiter = this.limiters.get(key);
      if (!limiter) this.limiters.set(key, (limiter = new RateLimiter(windows)));
      return limiter;
    };
  }
}
