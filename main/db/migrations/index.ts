// The checked registry of migrations: append only, one file per version, never edit a shipped one.
import * as m001 from './001_init';
import * as m002 from './002_fast_writes';
import * as m003 from './003_outbox_rounds';
import * as m004 from './004_contact_search';
import * as m005 from './005_messages_by_conversation';
import * as m006 from './006_contact_search_later';
import * as m007 from './007_channel_trust';
import * as m008 from './008_outbox_holds';
import * as m009 from './009_outbox_status_and_unconfirmed';
import * as m010 from './010_own_replies_and_remote_status';
import * as m012 from './012_customers';
import * as m013 from './013_triage';
import * as m014 from './014_team';

export interface Migration {
  version: number;
  name: string;
  up: string;
  /** Rebuilds a table (create, copy, drop, rename): runs with foreign keys off, checked before it commits. */
  rebuildsTables?: boolean;
}

export const migrations: Migration[] = [
  { version: 1, name: 'init', up: m001.up },
  { version: 2, name: 'fast_writes', up: m002.up },
  { version: 3, name: 'outbox_rounds', up: m003.up },
  { version: 4, name: 'contact_search', up: m004.up },
  { version: 5, name: 'messages_by_conversation', up: m005.up, rebuildsTables: true },
  { version: 6, name: 'contact_search_later', up: m006.up },
  { version: 7, name: 'channel_trust', up: m007.up },
  { version: 8, name: 'outbox_holds', up: m008.up },
  { version: 9, name: 'outbox_status_and_unconfirmed', up: m009.up, rebuildsTables: true },
  { version: 10, name: 'own_replies_and_remote_status', up: m010.up },
  { version: 12, name: 'customers', up: m012.up },
  { version: 13, name: 'triage', up: m013.up },
  { version: 14, name: 'team', up: m014.up },
];
