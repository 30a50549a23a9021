// What a channel needs before any provider is asked: credentials in the shape its provider's document takes, and
// whether a provider at a base URL can deliver webhooks to a loopback server. The desktop's channel service and the
// team hub both apply these.
import type { Credentials, ProviderId } from './entities';
import { DomainError } from './errors';

/** Credentials must have the shape the provider's document needs. */
const CREDENTIAL_SHAPES: Record<ProviderId, string[][]> = {
  chatpion: [['apiKey']],
  'chatbots-platform': [['apiKey'], ['username', 'password']],
  instantchat: [['username', 'password'], ['token']],
  assistify: [['token']],
  chatapi: [['apiKey'], ['apiKey', 'userId']],
};

export function checkCredentials(provider: ProviderId, c: Credentials): void {
  const keys = Object.keys(c).sort().join(',');
  const shapes = CREDENTIAL_SHAPES[provider];
  if (!shapes.some((s) => [...s].sort().join(',') === keys)) {
    throw DomainError.invalid(
      'invalid_input',
      `${provider} takes credentials ${shapes.map((s) => `{${s.join(', ')}}`).join(' or ')}`,
    );
  }
}

/**
 * Whether a provider at `baseUrl` can deliver webhooks to this app. The local server answers on loopback only,
 * so only a provider on this same machine (a simulator, a self-hosted test server) can; a hosted one cannot,
 * and is not given a loopback URL to register (it would accept it and never deliver). Team mode's hub
 * gives hosted providers its --public-url instead, and a loopback one its own address (hub/work).
 */
export function reachesLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** scheme://host:port, default ports left out: where a channel's credentials may be sent. */
const originOf = (url: string) => new URL(url).origin;

/** Credentials stay with the server they were given for: a base URL on another origin needs them again. */
export function checkSameOrigin(
  row: { provider: ProviderId; base_url: string },
  p: { baseUrl?: string; credentials?: Credentials },
): void {
  if (p.baseUrl === undefined || p.credentials || originOf(p.baseUrl) === originOf(row.base_url)) return;
  throw DomainError.unprocessable(
    'credentials_required',
    `${originOf(p.baseUrl)} is another server than ${originOf(row.base_url)}: enter the ${row.provider} ` +
      'credentials for it in the same change. The stored ones are only ever sent to the server they were given for.',
  );
}
