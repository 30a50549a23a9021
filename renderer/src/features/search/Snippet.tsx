// A search snippet with its matches highlighted. The server marks matches with \u0002 … \u0003 (FTS5
// snippet()); the text is split on those markers and rendered as text nodes, never as HTML.
const START = '\u0002';
const END = '\u0003';

export interface SnippetPart {
  text: string;
  match: boolean;
}

export function splitSnippet(snippet: string): SnippetPart[] {
  const [before, ...marked] = snippet.split(START);
  const parts: SnippetPart[] = [{ text: before.replaceAll(END, ''), match: false }];
  for (const chunk of marked) {
    const end = chunk.indexOf(END);
    // A match cut off by the snippet's end has no closing marker: it runs to the end.
    const match = end < 0 ? chunk : chunk.slice(0, end);
    const rest = end < 0 ? '' : chunk.slice(end + 1).replaceAll(END, '');
    parts.push({ text: match, match: true }, { text: rest, match: false });
  }
  return parts.filter((p) => p.text);
}

export function Snippet({ text }: { text: string }) {
  return (
    <span className="snippet">
      {splitSnippet(text).map((part, i) =>
        part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
      )}
    </span>
  );
}
