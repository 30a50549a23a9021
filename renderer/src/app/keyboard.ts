// Single-key shortcuts: ignored while the agent types or a dialog is open.
import { useEffect, useEffectEvent } from 'react';

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target.closest('input, textarea, select') !== null;
}

const dialogOpen = () => document.querySelector('dialog[open]') !== null;

/** Calls `handler` for plain key presses (no Ctrl/Cmd/Alt) outside text fields and dialogs. */
export function useShortcutKeys(handler: (e: KeyboardEvent) => void, enabled = true): void {
  const handle = useEffectEvent(handler);
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || dialogOpen()) return;
      handle(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
