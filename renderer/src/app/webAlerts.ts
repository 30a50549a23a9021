// Alerts in a browser tab (web mode, no desktop shell): the desktop's own notification policy (do-not-disturb,
// quiet hours, muted channels, one per conversation per 5 s, bursts collapsed) decides; the browser's
// Notification API shows, and a short WebAudio beep plays when the sound setting is on. In the desktop app
// the shell notifies, so none of this runs there.
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Channel, Conversation, Message, Settings } from '@contract/schemas';
import { Directory } from '@contract/notificationDirectory';
import { NotificationPolicy, type DesktopNotification } from '@contract/notificationPolicy';
import type { TeamAlert } from '@contract/teamEvents';
import { keys } from '../api/keys';
import { useSession } from '../api/session';
import { navigate, openConversation, useUi } from './store';

const NO_SETTINGS = { sound: false, dndUntil: null, quietHours: null, mutedChannels: [] };

export function useWebAlerts(): void {
  const { socket, api, connection } = useSession();
  const qc = useQueryClient();

  useEffect(() => {
    if (connection.bridge) return;
    const beep = new Beep();
    const policy = new NotificationPolicy({
      clock: Date,
      settings: () => qc.getQueryData<Settings>(keys.settings) ?? NO_SETTINGS,
      view: () => ({
        focused: document.visibilityState === 'visible' && document.hasFocus(),
        openConversationId: useUi.getState().view === 'inbox' ? useUi.getState().openId : null,
      }),
      show: (n) => {
        showNotification(n);
        if (!n.silent) beep.play();
      },
    });
    const directory = new Directory({
      getConversation: (id) => api.call('getConversation', { params: { id } }),
      listChannels: async () => (await api.call('listChannels', {})).items,
    });
    const onMessage = async (m: Message) => {
      if (policy.screen(m)) return;
      const incoming = await directory.describe(m);
      if (incoming) policy.offer(incoming);
    };
    const onConversation = (c: Conversation) => directory.rememberConversation(c);
    const onChannel = (c: Channel) => directory.rememberChannel(c);
    const onTeamAlert = (a: TeamAlert) => void policy.offerTeam(a);
    socket.on('message.created', onMessage);
    socket.on('conversation.updated', onConversation);
    socket.on('channel.updated', onChannel);
    socket.on('team.alert', onTeamAlert);
    // Browsers start audio and ask for notification permission only after a user gesture.
    const unlock = () => {
      beep.unlock();
      if ('Notification' in window && Notification.permission === 'default')
        void Notification.requestPermission();
    };
    window.addEventListener('pointerdown', unlock, { once: true });
    window.addEventListener('keydown', unlock, { once: true });
    return () => {
      socket.off('message.created', onMessage);
      socket.off('conversation.updated', onConversation);
      socket.off('channel.updated', onChannel);
      socket.off('team.alert', onTeamAlert);
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
      policy.dispose();
      beep.close();
    };
  }, [socket, api, connection, qc]);
}

function showNotification(n: DesktopNotification): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  // The beep is ours, so the browser's own sound stays off; `tag` replaces an older alert for the same thread.
  const shown = new Notification(n.title, {
    body: n.body,
    silent: true,
    tag: n.conversationId ?? 'agent-inbox',
  });
  shown.onclick = () => {
    window.focus();
    navigate('inbox');
    if (n.conversationId) openConversation(n.conversationId);
    shown.close();
  };
}

/** A short two-tone chime made with WebAudio: no sound file to ship or to allow in the page's policy. */
class Beep {
  private context: AudioContext | null = null;

  unlock(): void {
    this.context ??= new AudioContext();
    void this.context.resume();
  }

  play(): void {
    const ctx = this.context;
    if (!ctx || ctx.state !== 'running') return;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    const start = ctx.currentTime;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
    for (const [frequency, at] of [
      [880, 0],
      [1320, 0.12],
    ] as const) {
      const tone = ctx.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(start + at);
      tone.stop(start + at + 0.2);
    }
  }

  close(): void {
    void this.context?.close();
    this.context = null;
  }
}
