// Channel credentials at rest: Electron's safeStorage, or the key file where it has no keyring (main/secrets/desktop.ts).
import { safeStorage } from 'electron';
import type { Logger } from '../log';
import { desktopSecretBox } from '../secrets/desktop';
import type { SecretBox } from '../secrets/keyfile';

/** Call after app `ready`: safeStorage cannot name its backend before. */
export function createSecretBox(dataDir: string, log: Logger): SecretBox {
  const { scheme, box } = desktopSecretBox(safeStorage, dataDir);
  log.info({ scheme }, 'channel credentials sealed at rest');
  return box;
}
