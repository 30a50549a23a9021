// j / k move the keyboard cursor through the inbox, Enter opens the conversation under it.
import type { Conversation } from '@contract/schemas';
import { useShortcutKeys } from '../../app/keyboard';
import { openConversation, useUi } from '../../app/store';

export function useInboxKeys(items: Conversation[], scrollToIndex: (index: number) => void, enabled: boolean): void {
  useShortcutKeys((e) => {
    const list = items;
    if (!list.length) return;
    const { cursorId, openId } = useUi.getState();
    const current = list.findIndex((c) => c.id === (cursorId ?? openId));
    if (e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      const next = current < 0 ? 0 : Math.min(list.length - 1, Math.max(0, current + (e.key === 'j' ? 1 : -1)));
      useUi.setState({ cursorId: list[next].id });
      scrollToIndex(next);
    } else if (e.key === 'Enter' && current >= 0) {
      const target = e.target as HTMLElement | null;
      // Enter on a focused button or link belongs to that control.
      if (target?.closest('button, a, [role="switch"]')) return;
      e.preventDefault();
      openConversation(list[current].id);
    }
  }, enabled);
}
