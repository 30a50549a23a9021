// How long a draft is against the conversation's known limit (Conversation.maxTextLength, the platform's): the
// count shows from 80 % of the limit, and over it the sentence the local API would answer, so the send button
// can say why it waits instead of the reply failing later. Without a known limit the count only counts.
import { characters, replyTooLong, type Conversation } from '@contract/schemas';

/** Share of the limit from which the count shows. */
const SHOW_FROM = 0.8;

export interface ReplyLength {
  /** "1,650 / 2,000" near or over the limit, "120 characters" without one; null when there is nothing to say. */
  count: string | null;
  /** Why this draft cannot be sent here, in a sentence; null when it can. */
  tooLong: string | null;
}

export function replyLength(conversation: Conversation, text: string): ReplyLength {
  const length = text.length;
  const max = conversation.maxTextLength;
  if (max === null) return { count: length ? `${characters(length)} characters` : null, tooLong: null };
  return {
    count: length >= max * SHOW_FROM ? `${characters(length)} / ${characters(max)}` : null,
    tooLong: replyTooLong(conversation, length),
  };
}
