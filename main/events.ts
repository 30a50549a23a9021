// The core's event bus: the API forwards the contract's ServerEvents to socket.io clients; the shell and
// the services listen to the same bus. Internal events ('channel.changed', 'flows.changed', 'outbox.item')
// carry ids and are turned into contract payloads by the core.
import { EventEmitter } from 'node:events';
import type { ServerEvents } from './contract/schemas';
import type { TeamPresenceReport, TeamServerEvents } from './contract/teamEvents';
import type { OutboxRow } from './domain/storage';

interface InternalEvents {
  'channel.changed': (channelId: string) => void;
  'flows.changed': (channelId: string) => void;
  'outbox.item': (row: OutboxRow) => void;
  /** A window's presence in a conversation (team mode), for the hub link to relay. */
  'team.presence.report': (report: TeamPresenceReport) => void;
}

type AllEvents = ServerEvents & TeamServerEvents & InternalEvents;

export class CoreEvents extends EventEmitter {
  override emit<K extends keyof AllEvents>(name: K, ...args: Parameters<AllEvents[K]>): boolean {
    return super.emit(name, ...args);
  }
  override on<K extends keyof AllEvents>(name: K, fn: AllEvents[K]): this {
    return super.on(name, fn as (...a: unknown[]) => void);
  }
}
