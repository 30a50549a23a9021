// How one person is recognised across channels: the identifiers a provider gives for a contact, normalised into
// keys. Contacts that share a key belong to one customer (db/customers.ts links them as they arrive). Only fields
// the providers document are read: `email` (ChatPion, ChatAPI, Chatbots Platform) and `handle`, which is an email,
// a phone number or a username depending on the provider and platform. No provider gives a phone field of its own.
import type { ProviderId } from './entities';
import type { RemoteContact } from './remote';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A number as people write it: digits, spaces, dots, dashes, brackets, a leading + (and a `whatsapp:` prefix). */
const PHONE = /^(?:(?:whatsapp|tel|sms):)?\+?[\d\s().-]+$/i;
/** Platforms whose handle is the customer's number in international form (WhatsApp's user id is the number). */
const PHONE_PLATFORMS = new Set(['whatsapp', 'sms']);

/** Lowercase and trimmed, or null when it is not an email address. */
export function normaliseEmail(s: string): string | null {
  const e = s.trim().toLowerCase();
  return EMAIL.test(e) ? e : null;
}

/**
 * E.164-ish: `+` and 7 to 15 digits. A number counts when written internationally (`+…` or `00…`), or as the
 * handle on a phone platform, where the id is the number with its country code; a national number (`0170 …`)
 * or a bare run of digits elsewhere (a Facebook id) is no phone number.
 */
export function normalisePhone(s: string, onPhonePlatform = false): string | null {
  const t = s.trim();
  if (!PHONE.test(t)) return null;
  const written = t.replace(/^[a-z]+:/i, '');
  const international = written.startsWith('+') || written.startsWith('00');
  const digits = written.replace(/\D/g, '').replace(/^00/, '');
  if (!international && (!onPhonePlatform || digits.startsWith('0'))) return null;
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : null;
}

/**
 * The keys a contact is recognised by, strongest first: `email:…`, `phone:+…`, and `handle:provider:platform:…`
 * (a username means the same person only on the same provider and platform). Connectors fall back to the id or the
 * name (a room's name, "Customer") for a handle the provider did not give, so a handle that repeats either, or has a
 * space in it, identifies nobody unless it is an email or a phone number; nor does a stand-in contact (ingest.ts
 * gives a message whose conversation it has not seen yet a contact whose id starts with `?`). Missing a link costs
 * the agent a merge; a false one shows a customer someone else's conversations.
 */
export function identityKeys(
  provider: ProviderId,
  c: Pick<RemoteContact, 'externalId' | 'name' | 'handle' | 'platform' | 'email'>,
): string[] {
  if (c.externalId.startsWith('?')) return [];
  const keys: string[] = [];
  const add = (k: string) => {
    if (!keys.includes(k)) keys.push(k);
  };
  const email = c.email ? normaliseEmail(c.email) : null;
  if (email) add(`email:${email}`);
  const handle = c.handle.trim();
  if (!handle || handle === c.externalId) return keys;
  const platform = (c.platform ?? '').toLowerCase();
  const handleEmail = normaliseEmail(handle);
  const phone = handleEmail ? null : normalisePhone(handle, PHONE_PLATFORMS.has(platform));
  if (handleEmail) add(`email:${handleEmail}`);
  else if (phone) add(`phone:${phone}`);
  else if (handle !== c.name.trim() && !/\s/.test(handle))
    add(`handle:${provider}:${platform}:${handle.toLowerCase()}`);
  return keys;
}
