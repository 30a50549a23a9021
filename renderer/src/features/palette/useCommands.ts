// Everything the command palette can do right now: go to a view, act on the open conversation, switch
// the theme, show help.
import { useQueryClient } from '@tanstack/react-query';
import type { Conversation } from '@contract/schemas';
import { keys } from '../../api/keys';
import { navigate, useUi, VIEWS, type View } from '../../app/store';
import { usePatchConversation } from '../conversation/useConversation';
import { COMPOSER_ID } from '../conversation/Composer';
import { focusSearch } from '../search/SearchBox';
import { useSaveSettings } from '../settings/useSettings';
import { BUILT_IN_VIEWS, showView } from '../inbox/InboxViews';
import { clearSelection, useSelection } from '../inbox/selection';
import { fromViewFilters, useBulkAction, useSavedViews } from '../inbox/useTriage';
import { useTeamCommands } from '../team/teamCommands';

export interface Command {
  id: string;
  label: string;
  hint?: string;
  run: () => void;
}

const VIEW_LABELS: Record<View, string> = {
  inbox: 'Inbox',
  broadcasts: 'Broadcasts',
  flows: 'Flows',
  channels: 'Channels',
  settings: 'Settings',
};

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

const focusSoon = (id: string) => requestAnimationFrame(() => document.getElementById(id)?.focus());

export function useCommands(): Command[] {
  const qc = useQueryClient();
  const openId = useUi((s) => s.openId);
  const conversation = openId ? qc.getQueryData<Conversation>(keys.conversation(openId)) : undefined;
  const patchConversation = usePatchConversation();
  const settings = useSaveSettings();
  const savedViews = useSavedViews().data?.items ?? [];
  const selected = useSelection((s) => s.ids);
  const bulk = useBulkAction();
  const teamCommands = useTeamCommands(conversation);

  const commands: Command[] = VIEWS.map((v) => ({
    id: `go-${v}`,
    label: `Go to ${VIEW_LABELS[v]}`,
    run: () => navigate(v),
  }));
  const views = [
    ...BUILT_IN_VIEWS.map((v) => ({ id: v.name, name: v.name, filters: v.filters })),
    ...savedViews.map((v) => ({ id: v.id, name: v.name, filters: fromViewFilters(v.filters) })),
  ];
  for (const v of views) {
    commands.push({
      id: `view-${v.id}`,
      label: `Show the ${v.name} view`,
      run: () => {
        navigate('inbox');
        showView(v.filters);
      },
    });
  }
  if (selected.size > 0) {
    const n = `${selected.size} selected conversation${selected.size === 1 ? '' : 's'}`;
    commands.push(
      {
        id: 'bulk-resolve',
        label: `Resolve the ${n}`,
        run: () => bulk.mutate({ ids: [...selected], action: { type: 'resolve' } }),
      },
      {
        id: 'bulk-reopen',
        label: `Reopen the ${n}`,
        run: () => bulk.mutate({ ids: [...selected], action: { type: 'reopen' } }),
      },
      { id: 'bulk-clear', label: `Clear the selection (${n})`, run: () => clearSelection() },
    );
  }
  commands.push({
    id: 'search',
    label: 'Search messages and contacts',
    hint: '/',
    // After the palette's dialog has closed and handed focus back.
    run: () => requestAnimationFrame(focusSearch),
  });
  if (conversation) {
    const resolved = conversation.status === 'resolved';
    const name = conversation.contact.name || conversation.contact.handle;
    commands.push(
      {
        id: 'reply',
        label: `Reply to ${name}`,
        hint: 'r',
        run: () => {
          navigate('inbox');
          focusSoon(COMPOSER_ID);
        },
      },
      {
        id: 'resolve',
        label: resolved ? `Reopen conversation with ${name}` : `Resolve conversation with ${name}`,
        hint: 'e',
        run: () =>
          patchConversation.mutate({ conversation, patch: { status: resolved ? 'open' : 'resolved' } }),
      },
      {
        id: 'unread',
        label: `Mark conversation with ${name} as unread`,
        run: () => {
          patchConversation.mutate({ conversation, patch: { read: false } });
          useUi.setState({ openId: null });
        },
      },
      {
        id: 'snooze',
        label: `Snooze conversation with ${name} for 1 hour`,
        run: () =>
          patchConversation.mutate({
            conversation,
            patch: { status: 'snoozed', snoozedUntil: inOneHour() },
          }),
      },
    );
  }
  commands.push(...teamCommands);
  commands.push(
    { id: 'theme-light', label: 'Use the light theme', run: () => settings.save({ theme: 'light' }) },
    { id: 'theme-dark', label: 'Use the dark theme', run: () => settings.save({ theme: 'dark' }) },
    { id: 'theme-system', label: 'Match the system theme', run: () => settings.save({ theme: 'system' }) },
    {
      id: 'shortcuts',
      label: 'Show keyboard shortcuts',
      hint: '?',
      run: () => useUi.setState({ shortcutsOpen: true }),
    },
  );
  return commands;
}
