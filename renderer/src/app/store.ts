// UI state that is not server state: the current view, inbox selection and filters, composer drafts,
// open dialogs and transient notices.
import { create } from 'zustand';
import type { StatusFilter } from '@contract/schemas';

export const VIEWS = ['inbox', 'broadcasts', 'flows', 'channels', 'settings'] as const;
export type View = (typeof VIEWS)[number];

export interface InboxFilters {
  /** '' for every channel, 'channel:<id>' or 'provider:<id>'. */
  source: string;
  /** '' for every status; 'active' (the default) for the work still to do. */
  status: StatusFilter | '';
  /** '' for any tag, else one conversation tag. */
  tag: string;
  unreadOnly: boolean;
  sort: 'latest' | 'waiting';
}

/** What the inbox shows first: open work, newest activity first. */
export const DEFAULT_FILTERS: InboxFilters = {
  source: '',
  status: 'active',
  tag: '',
  unreadOnly: false,
  sort: 'latest',
};

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  text: string;
  /** A button in the notice, e.g. Undo; the notice closes when it is pressed. */
  action?: { label: string; run: () => void };
}

interface UiState {
  view: View;
  filters: InboxFilters;
  /** The conversation shown in the reading pane. */
  openId: string | null;
  /** The row the keyboard cursor is on (j/k); Enter opens it. */
  cursorId: string | null;
  /** A message to scroll to once the open conversation shows it (from search). */
  focusMessageId: string | null;
  searchText: string;
  drafts: Record<string, string>;
  /** New text for failed replies being edited before they are sent again, by outbox item id. */
  replyEdits: Record<string, string>;
  paletteOpen: boolean;
  shortcutsOpen: boolean;
  notices: Notice[];
}

const viewFromHash = (): View => {
  const name = location.hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : 'inbox';
};

export const useUi = create<UiState>(() => ({
  view: viewFromHash(),
  filters: DEFAULT_FILTERS,
  openId: null,
  cursorId: null,
  focusMessageId: null,
  searchText: '',
  drafts: {},
  replyEdits: {},
  paletteOpen: false,
  shortcutsOpen: false,
  notices: [],
}));

export function navigate(view: View): void {
  if (location.hash !== `#/${view}`) history.pushState(null, '', `#/${view}`);
  useUi.setState({ view });
}

window.addEventListener('popstate', () => useUi.setState({ view: viewFromHash() }));

export function openConversation(id: string, focusMessageId: string | null = null): void {
  useUi.setState({ openId: id, cursorId: id, focusMessageId });
}

export function setFilters(patch: Partial<InboxFilters>): void {
  useUi.setState((s) => ({ filters: { ...s.filters, ...patch } }));
}

export function setDraft(conversationId: string, text: string): void {
  useUi.setState((s) => ({ drafts: { ...s.drafts, [conversationId]: text } }));
}

/** Opens (text) or closes (null) the editor of a failed reply. */
export function setReplyEdit(outboxId: string, text: string | null): void {
  useUi.setState((s) => {
    const replyEdits = { ...s.replyEdits };
    if (text === null) delete replyEdits[outboxId];
    else replyEdits[outboxId] = text;
    return { replyEdits };
  });
}

let noticeSeq = 0;

/** Shows a short message in the notice area; errors stay longer so they can be read. Answers its id. */
export function notify(
  text: string,
  tone: Notice['tone'] = 'info',
  o: { action?: Notice['action']; ms?: number } = {},
): number {
  const id = ++noticeSeq;
  useUi.setState((s) => ({ notices: [...s.notices.slice(-3), { id, tone, text, action: o.action }] }));
  setTimeout(() => dismissNotice(id), o.ms ?? (tone === 'info' ? 4000 : 12000));
  return id;
}

export function dismissNotice(id: number): void {
  useUi.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}
