// Where a message's media lives. Connectors keep the provider's attachment URL in meta; some providers
// send the bare URL as the text.
import type { Message } from '@contract/schemas';

const META_KEYS = ['attachment', 'url', 'mediaUrl', 'fileUrl'];

const isSafeUrl = (s: string) => /^https?:\/\//i.test(s) || /^data:image\/(png|jpe?g|gif|webp);/i.test(s);

export function attachmentUrl(m: Message): string | null {
  for (const key of META_KEYS) {
    const v = m.meta?.[key];
    if (typeof v === 'string' && isSafeUrl(v)) return v;
  }
  const text = m.text.trim();
  return /^https?:\/\/\S+$/i.test(text) ? text : null;
}

/** Images are shown inline only where the page's CSP allows loading them (https and data URLs). */
export const canShowInline = (url: string) => /^https:\/\//i.test(url) || url.startsWith('data:image/');
