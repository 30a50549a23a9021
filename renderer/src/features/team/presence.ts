// Presence in team mode: this agent reports viewing and typing in the open conversation over the local
// socket (the core relays it to the hub), and the other agents in each conversation come back as
// `team.presence` pushes, kept here by conversation id.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { TeamPresence, TeamPresenceState } from '@contract/teamEvents';
import { useSession } from '../../api/session';
import { useUi } from '../../app/store';
import { useTeam } from './useTeam';

/** The hub forgets viewing after 30 s and typing after 6 s: both are repeated well within that. */
const VIEWING_RESEND_MS = 10_000;
const TYPING_RESEND_MS = 2_000;
/** Typing turns back into viewing after this long without a keystroke. */
const TYPING_IDLE_MS = 4_000;

export type PresentAgent = TeamPresence['agents'][number];

export const usePresence = create<Record<string, PresentAgent[]>>(() => ({}));

const NOBODY: PresentAgent[] = [];

/** The other agents in a conversation now (never this agent). */
export function usePresentAgents(conversationId: string): PresentAgent[] {
  const me = useTeam()?.agent.id;
  const agents = usePresence((s) => s[conversationId] ?? NOBODY);
  return me ? agents.filter((a) => a.id !== me) : NOBODY;
}

/** Keeps the presence store current from the core's pushes; mounted once while the inbox is shown. */
export function usePresenceFeed(): void {
  const { socket } = useSession();
  const inTeam = useTeam() !== null;
  useEffect(() => {
    if (!inTeam) return;
    const onPresence = (p: TeamPresence) =>
      usePresence.setState((s) => ({ ...s, [p.conversationId]: p.agents }));
    socket.on('team.presence', onPresence);
    return () => {
      socket.off('team.presence', onPresence);
      usePresence.setState({}, true);
    };
  }, [socket, inTeam]);
}

/** Reports viewing while the conversation is open and typing while its reply draft changes; idle on leaving. */
export function useReportPresence(conversationId: string): void {
  const { socket } = useSession();
  const inTeam = useTeam() !== null;
  useEffect(() => {
    if (!inTeam) return;
    let state: TeamPresenceState = 'viewing';
    let lastSent = 0;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const send = (next: TeamPresenceState) => {
      state = next;
      lastSent = Date.now();
      socket.emit('team.presence', { conversationId, state: next });
    };
    send('viewing');
    const resend = setInterval(() => {
      if (Date.now() - lastSent >= VIEWING_RESEND_MS) send(state);
    }, VIEWING_RESEND_MS / 2);
    const unsubscribe = useUi.subscribe((s, prev) => {
      const draft = s.drafts[conversationId] ?? '';
      if (draft === (prev.drafts[conversationId] ?? '')) return;
      clearTimeout(typingTimer);
      if (!draft) return send('viewing');
      if (state !== 'typing' || Date.now() - lastSent >= TYPING_RESEND_MS) send('typing');
      typingTimer = setTimeout(() => send('viewing'), TYPING_IDLE_MS);
    });
    // A reconnected link reaches a core that forgot this window's presence.
    const onConnect = () => send(state);
    socket.on('connect', onConnect);
    return () => {
      clearInterval(resend);
      clearTimeout(typingTimer);
      unsubscribe();
      socket.off('connect', onConnect);
      send('idle');
    };
  }, [socket, conversationId, inTeam]);
}
