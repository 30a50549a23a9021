// j / k move the keyboard cursor through the inbox (and focus the list, so Enter is the list's), Enter
// opens the conversation under it, x picks it for a bulk action (shift x: the range from the last one picked).
import type { Conversation } from '@contract/schemas';
import { useShortcutKeys } from '../../app/keyboard';
import { useUi } from '../../app/store';
import { toggleRange, toggleSelected } from './selection';

interface ListControl {
  scrollToIndex: (index: number) => void;
  focus: () => void;
  open: (id: string) => void;
}

export function useInboxKeys(items: Conversation[], list: ListControl, enabled: boolean): void {
  useShortcutKeys((e) => {
    if (!items.length) return;
    const { cursorId, openId } = useUi.getState();
    const current = items.findIndex((c) => c.id === (cursorId ?? openId));
    if (e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      const step = e.key === 'j' ? 1 : -1;
      const next = current < 0 ? 0 : Math.min(items.length - 1, Math.max(0, current + step));
      useUi.setState({ cursorId: items[next].id });
      list.scrollToIndex(next);
      list.focus();
    } else if ((e.key === 'x' || e.key === 'X') && current >= 0) {
      e.preventDefault();
      const id = items[current].id;
      if (e.shiftKey)
        toggleRange(
          id,
          items.map((c) => c.id),
        );
      else toggleSelected(id);
    } else if (e.key === 'Enter' && current >= 0) {
      const target = e.target as HTMLElement | null;
      // Enter on a focused button or link belongs to that control.
      if (target?.closest('button, a, [role="switch"]')) return;
      e.preventDefault();
      list.open(items[current].id);
    }
  }, enabled);
}
