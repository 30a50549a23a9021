// How long a reply may be where it goes: the messaging platform's own limit, where the conversation's platform
// is known (Messenger, Instagram, WhatsApp, Telegram). No provider document names a limit of its own, so none is
// invented: where the platform is unknown any length goes, and the provider's answer decides. The composer and
// the local API both read these, so the agent and an API client are told the same thing before anything is sent.
// Lengths count UTF-16 code units, as the providers' own checks do.
import { PROVIDER_NAMES, type ProviderId } from './entities';

export interface PlatformLimit {
  /** The platform as the agent knows it. */
  platform: string;
  maxLength: number;
}

const MESSENGER: PlatformLimit = { platform: 'Messenger', maxLength: 2000 };
const PLATFORM_LIMITS: Record<string, PlatformLimit> = {
  facebook: MESSENGER,
  messenger: MESSENGER,
  instagram: { platform: 'Instagram', maxLength: 1000 },
  whatsapp: { platform: 'WhatsApp', maxLength: 4096 },
  telegram: { platform: 'Telegram', maxLength: 4096 },
};

/** The platform's limit on a message, as providers name the platform ('facebook', 'WhatsApp'); null: none known. */
export function platformLimit(platform: string | null | undefined): PlatformLimit | null {
  return (platform && PLATFORM_LIMITS[platform.trim().toLowerCase()]) || null;
}

/** A count as the agent reads it: 2,000. */
export const characters = (n: number): string => n.toLocaleString('en-US');

/**
 * Why a reply of `length` characters cannot go to this conversation ("ChatPion accepts at most 2,000 characters
 * for Messenger: this reply has 2,500"), or null when it may.
 */
export function replyTooLong(
  to: { provider: ProviderId; contact: { platform?: string } },
  length: number,
): string | null {
  const limit = platformLimit(to.contact.platform);
  if (!limit || length <= limit.maxLength) return null;
  return (
    `${PROVIDER_NAMES[to.provider]} accepts at most ${characters(limit.maxLength)} characters for ` +
    `${limit.platform}: this reply has ${characters(length)}`
  );
}
