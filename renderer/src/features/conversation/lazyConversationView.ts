// The reading pane is a chunk of its own: the inbox's first paint shows no conversation, so it does not wait
// for that code. The chunk is asked for once the first paint is on screen, and by an open (with its messages).
import { lazy } from 'react';

export const loadConversationView = () => import('./ConversationView');

export const LazyConversationView = lazy(() =>
  loadConversationView().then((m) => ({ default: m.ConversationView })),
);
