// Which credentials each provider takes (DESIGN.md), as form fields and as the API's Credentials shape.
import type { Credentials, ProviderId } from '@contract/schemas';

export type CredentialKind = 'apiKey' | 'login' | 'token';

export const CREDENTIAL_KINDS: Record<ProviderId, CredentialKind[]> = {
  chatpion: ['apiKey'],
  'chatbots-platform': ['apiKey', 'login'],
  instantchat: ['login'],
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
  username: string;
  password: string;
  token: string;
}

export const EMPTY_CREDENTIALS: CredentialFields = { apiKey: '', username: '', password: '', token: '' };

/** The credentials object for the chosen kind, or null while a required field is empty. */
export function toCredentials(kind: CredentialKind, f: CredentialFields): Credentials | null {
  switch (kind) {
    case 'apiKey':
      return f.apiKey.trim() ? { apiKey: f.apiKey.trim() } : null;
    case 'token':
      return f.token.trim() ? { token: f.token.trim() } : null;
    case 'login':
      return f.username.trim() && f.password ? { username: f.username.trim(), password: f.password } : null;
  }
}
