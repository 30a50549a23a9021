// @mentions in a note: the word being typed after "@" at the caret, and putting the picked agent's name there.
import type { Agent } from '@contract/team';

export interface MentionQuery {
  /** Where the "@" is. */
  start: number;
  /** What follows it up to the caret. */
  text: string;
}

/** The mention being typed at the caret, if any: "@" at the start or after a space, then no space yet. */
export function mentionAt(value: string, caret: number): MentionQuery | null {
  const match = /(^|\s)@([^\s@]{0,40})$/u.exec(value.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2].length - 1, text: match[2] };
}

export function matchAgents(agents: Agent[], query: string): Agent[] {
  const q = query.toLowerCase();
  return agents
    .filter(
      (a) =>
        a.name
          .toLowerCase()
          .split(/\s+/)
          .some((w) => w.startsWith(q)) || a.email.startsWith(q),
    )
    .slice(0, 8);
}

/** The value with the mention replaced by "@Name ", and where the caret goes after it. */
export function insertMention(
  value: string,
  caret: number,
  mention: MentionQuery,
  agent: Agent,
): { value: string; caret: number } {
  const inserted = `@${agent.name} `;
  return {
    value: value.slice(0, mention.start) + inserted + value.slice(caret),
    caret: mention.start + inserted.length,
  };
}
