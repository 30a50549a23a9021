// The hub's key for channel credentials and webhook secrets (AES-256-GCM, as the desktop's key file), the same
// for every instance on one database. With --key-file (32 bytes, the same file on every instance) the database
// keeps only the key's fingerprint, so an instance given another key refuses to start instead of sealing with it.
// Without one the first instance makes a random key and keeps it in the database (hub_meta): simpler, but then
// a database backup holds the key beside what it seals.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { aesGcmSecretBox, type SecretBox } from '../main/secrets/keyfile';
import { keepMeta } from './db/meta';
import type { Queryable } from './db/database';

const KEY_BYTES = 32;

const fingerprintOf = (key: Buffer) =>
  crypto.createHash('sha256').update('agent-inbox hub key').update(key).digest('hex');

function readKeyFile(file: string): Buffer {
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES)
    throw new Error(
      `${file} is not a hub key: it must hold exactly ${KEY_BYTES} bytes (it has ${key.length})`,
    );
  return key;
}

/** One record for either way, so two instances starting together cannot keep both: 'file:<fingerprint>' or 'key:<key>'. */
const RECORD = 'secret_key';

export async function hubSecretBox(db: Queryable, keyFile?: string): Promise<SecretBox> {
  const key = keyFile ? readKeyFile(keyFile) : crypto.randomBytes(KEY_BYTES);
  const mine = keyFile ? `file:${fingerprintOf(key)}` : `key:${key.toString('base64')}`;
  const kept = await keepMeta(db, RECORD, mine);
  if (kept.startsWith('key:')) {
    if (keyFile)
      throw new Error(
        'this database keeps its sealing key itself: start the hub without --key-file (moving to a key file is not supported)',
      );
    return aesGcmSecretBox(Buffer.from(kept.slice('key:'.length), 'base64'));
  }
  if (!keyFile)
    throw new Error('this database seals with a key file: start the hub with --key-file naming it');
  if (kept !== mine)
    throw new Error(
      `${keyFile} is not the key this database's channels were sealed with: start every instance with the same key file`,
    );
  return aesGcmSecretBox(key);
}
