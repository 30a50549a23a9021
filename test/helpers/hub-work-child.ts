// A hub instance's channel work in a process of its own, for the tests that kill one with SIGKILL mid-dispatch:
// `tsx test/helpers/hub-work-child.ts <databaseUrl> <inFlightGraceMs>`. Prints 'ready' once it runs.
import { HubDatabase } from '../../hub/db/database';
import { hubSecretBox } from '../../hub/secrets';
import { ChannelWork } from '../../hub/work/channelWork';
import { TEST_BACKOFF_SCALE } from './backoff';

const [databaseUrl, grace] = process.argv.slice(2);
const db = await HubDatabase.open(databaseUrl!);
const work = new ChannelWork({
  db,
  secrets: await hubSecretBox(db),
  publicUrl: null,
  backoffScale: TEST_BACKOFF_SCALE,
  inFlightGraceMs: Number(grace),
});
work.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void work.stop().then(() => process.exit(0)));
