// Applies the chosen theme to <html data-theme>, following the system when asked to. The last choice is
// remembered locally so the next start does not flash the wrong colours before settings load.
import { useEffect } from 'react';
import type { Settings } from '@contract/schemas';
import { useSettings } from './useSettings';

const THEME_KEY = 'agent-inbox.theme';
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function apply(theme: Settings['theme']) {
  const dark = theme === 'dark' || (theme === 'system' && darkQuery().matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function applyRememberedTheme(): void {
  const saved = localStorage.getItem(THEME_KEY);
  apply(saved === 'light' || saved === 'dark' ? saved : 'system');
}

export function useTheme(): void {
  const theme = useSettings().data?.theme;
  useEffect(() => {
    if (!theme) return;
    localStorage.setItem(THEME_KEY, theme);
    apply(theme);
    if (theme !== 'system') return;
    const media = darkQuery();
    const onChange = () => apply('system');
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, [theme]);
}
