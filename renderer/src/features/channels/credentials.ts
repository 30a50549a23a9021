// Which credentials each provider takes (DESIGN.md), as form fields and as the API's Credentials shape.
import type { Credentials, ProviderId } from '@contract/schemas';

export type CredentialKind = 'apiKey' | 'login' | 'token';

export const CREDENTIAL_KINDS: Record<ProviderId, CredentialKind[]> = {
  chatpion: ['apiKey'],
  'chatbots-platform': ['apiKey', 'login'],
  instantchat: ['login', 'token'],
  assistify: ['token'],
  chatapi: ['apiKey'],
};

export const CREDENTIAL_KIND_LABELS: Record<CredentialKind, string> = {
  apiKey: 'API key',
  login: 'Username and password',
  token: 'Access token',
};

export interface CredentialFields {
  apiKey: string;
  /** ChatAPI only, optional: the user the key belongs to, where the service does not say. */
  userId: string;
  username: string;
  password: string;
  token: string;
}

export const EMPTY_CREDENTIALS: CredentialFields = {
  apiKey: '',
  userId: '',
  username: '',
  password: '',
  token: '',
};

/** Providers whose API key may come with the user it belongs to. */
export const takesUserId = (provider: ProviderId) => provider === 'chatapi';

/** The credentials object for the chosen kind, or null while a required field is empty. */
export function toCredentials(
  provider: ProviderId,
  kind: CredentialKind,
  f: CredentialFields,
): Credentials | null {
  switch (kind) {
    case 'apiKey': {
      const apiKey = f.apiKey.trim();
      const userId = takesUserId(provider) ? f.userId.trim() : '';
      return apiKey ? (userId ? { apiKey, userId } : { apiKey }) : null;
    }
    case 'token':
      return f.token.trim() ? { token: f.token.trim() } : null;
    case 'login':
      return f.username.trim() && f.password ? { username: f.username.trim(), password: f.password } : null;
  }
}
