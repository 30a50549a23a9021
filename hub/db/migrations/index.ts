// The hub's migrations: append only, one file per version, never edit a shipped one.
import * as m001 from './001_team';
import * as m002 from './002_channel_work';
import * as m003 from './003_realtime';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const migrations: Migration[] = [
  { version: 1, name: 'team', up: m001.up },
  { version: 2, name: 'channel_work', up: m002.up },
  { version: 3, name: 'realtime', up: m003.up },
];
