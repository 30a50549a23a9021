// Presence between this desktop's windows and the hub (team mode, issue 20). The windows' reports reach the
// core's bus as 'team.presence.report' (api/plugins/socket.ts) with local conversation ids; the relay sends
// them on the hub's socket.io link with the hub's ids, sends the ones still held again after a reconnect (the
// hub forgot them with the old connection), and turns the hub's `presence` pushes back into 'team.presence'
// for the windows, with local ids and the agents' names.
import type { Socket } from 'socket.io-client';
import type { CoreEvents } from '../events';
import type { PresenceEvent } from '../contract/hub';
import type { TeamPresenceReport, TeamPresenceState as PresenceState } from '../contract/teamEvents';

export interface PresenceRelayDeps {
  events: CoreEvents;
  /** The hub's id of a local conversation; null for one the hub does not know. */
  hubConversationId: (localId: string) => string | null;
  /** The local id of a hub conversation; null while it is not in the cache. */
  localConversationId: (hubId: string) => string | null;
  agentName: (agentId: string) => string | null;
}

export class PresenceRelay {
  private socket: Socket | null = null;
  /** What the windows hold now (not idle), by local conversation id: sent again after a reconnect. */
  private readonly held = new Map<string, Exclude<PresenceState, 'idle'>>();

  constructor(private readonly d: PresenceRelayDeps) {
    d.events.on('team.presence.report', this.onReport);
  }

  /** Relays over this hub link from now on (the session's socket, once created). */
  attach(socket: Socket): void {
    this.detachSocket();
    this.socket = socket;
    socket.on('connect', this.resendHeld);
    socket.on('presence', this.onHubPresence);
    if (socket.connected) this.resendHeld();
  }

  /** No hub link any more (signed out, stopped): stops listening to the windows too. */
  close(): void {
    this.detachSocket();
    this.held.clear();
    this.d.events.off('team.presence.report', this.onReport);
  }

  private detachSocket(): void {
    this.socket?.off('connect', this.resendHeld);
    this.socket?.off('presence', this.onHubPresence);
    this.socket = null;
  }

  private send(localId: string, state: PresenceState): void {
    const hubId = this.d.hubConversationId(localId);
    if (hubId !== null && this.socket?.connected)
      this.socket.emit('presence', { conversationId: hubId, state });
  }

  private readonly onReport = (r: TeamPresenceReport): void => {
    if (r.state === 'idle') this.held.delete(r.conversationId);
    else this.held.set(r.conversationId, r.state);
    this.send(r.conversationId, r.state);
  };

  private readonly resendHeld = (): void => {
    for (const [localId, state] of this.held) this.send(localId, state);
  };

  private readonly onHubPresence = (e: PresenceEvent): void => {
    const conversationId = this.d.localConversationId(e.conversationId);
    if (conversationId === null) return;
    const agents = e.agents.map((a) => ({
      id: a.id,
      name: this.d.agentName(a.id) ?? 'An agent',
      state: a.state,
    }));
    this.d.events.emit('team.presence', { conversationId, agents });
  };
}
