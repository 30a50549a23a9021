// What the route handlers work with, and the one rule they share about ids.
import type { BroadcastService } from '../../broadcasts/service';
import type { ChannelService } from '../../channels/service';
import type * as s from '../../contract/schemas';
import type { RouteName } from '../../contract/routes';
import type { Store } from '../../db';
import { DomainError } from '../../domain/errors';
import type { OutboxStorage } from '../../domain/storage';
import type { CoreEvents } from '../../events';
import type { FlowService } from '../../flows/service';
import type { TeamService } from '../../team/service';
import type { Handlers } from '../plugins/contract';

export interface HandlerDeps {
  store: Store;
  events: CoreEvents;
  channels: ChannelService;
  broadcasts: BroadcastService;
  flows: FlowService;
  /** Team mode: the hub, and every write to a team's conversation. */
  team: TeamService;
  kickOutbox: () => void;
  /** The dispatcher's view of the outbox (announceHeld). */
  outboxStorage: OutboxStorage;
  version: string;
  /** Things the agent must hear about from start-up (e.g. a damaged database kept aside). */
  notices: string[];
  startDemo: () => Promise<s.Channel[]>;
}

/** The handlers of some of the contract's routes (one resource's). */
export type RouteHandlers<K extends RouteName> = Pick<Handlers, K>;

/** Local ids are integers; anything else cannot exist. */
export function localId(id: string, what: string): number {
  const n = Number(id);
  if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(n)) throw DomainError.notFound(what, id);
  return n;
}

/** What only a team has, asked of a desktop in solo mode (or of a conversation of its own channels). */
export const soloMode = (what: string) =>
  DomainError.conflict('solo_mode', `${what} belong to a team's conversations; this one is not a team's.`);

/** Push an outbox item's current state to open windows. */
export function emitOutboxItem(d: HandlerDeps, id: number): void {
  const row = d.store.outbox.get(id);
  if (row) d.events.emit('outbox.item', row);
}
