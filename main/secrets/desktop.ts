// Credentials at rest in the desktop app. Electron's safeStorage seals them with the macOS Keychain, Windows
// DPAPI or a Linux keyring (libsecret, KWallet). A Linux without a keyring makes safeStorage fall back to
// 'basic_text', a password built into Chromium: plain text in effect. There the app seals with web mode's
// key file instead (keyfile.ts: DATA_DIR/secret.key, 0600, AES-256-GCM).
//
// Values sealed by the other scheme stay readable, so nothing is lost when a keyring comes or goes: the key
// file is tried first (AES-GCM refuses what it did not seal; safeStorage on Linux would hand back unknown bytes
// as they are), then safeStorage. reseal() seals such a value again with the current scheme; the channel
// service does that for every stored secret at start, so a value basic_text sealed does not stay on disk.
import fs from 'node:fs';
import { keyFilePath, keyFileSecretBox, type SecretBox } from './keyfile';

/** The part of Electron's safeStorage used here (main/shell/secrets.ts passes the real one). */
export interface SafeStorage {
  isEncryptionAvailable(): boolean;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
}

export type DesktopScheme = 'safeStorage' | 'keyfile';

/** Call after Electron's `ready`: before it, safeStorage cannot say which backend it uses. */
export function desktopScheme(safe: SafeStorage, platform: NodeJS.Platform): DesktopScheme {
  return platform === 'linux' && safe.getSelectedStorageBackend?.() === 'basic_text'
    ? 'keyfile'
    : 'safeStorage';
}

function safeStorageBox(safe: SafeStorage): SecretBox {
  const checkAvailable = () => {
    if (!safe.isEncryptionAvailable())
      throw new Error(
        'OS credential encryption is unavailable (no keychain or keyring); cannot store channel credentials',
      );
  };
  return {
    encrypt(plain) {
      checkAvailable();
      return safe.encryptString(plain);
    },
    decrypt(data) {
      checkAvailable();
      return safe.decryptString(data);
    },
  };
}

export function desktopSecretBox(
  safe: SafeStorage,
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): { scheme: DesktopScheme; box: SecretBox } {
  const scheme = desktopScheme(safe, platform);
  const os = safeStorageBox(safe);
  const keyFile =
    scheme === 'keyfile' || fs.existsSync(keyFilePath(dataDir)) ? keyFileSecretBox(dataDir) : null;
  const current = scheme === 'keyfile' ? keyFile! : os;

  const open = (data: Buffer): { plain: string; by: DesktopScheme } => {
    if (keyFile) {
      try {
        return { plain: keyFile.decrypt(data), by: 'keyfile' };
      } catch {
        // not sealed by the key file: safeStorage's
      }
    }
    return { plain: os.decrypt(data), by: 'safeStorage' };
  };

  return {
    scheme,
    box: {
      encrypt: (plain) => current.encrypt(plain),
      decrypt: (data) => open(data).plain,
      reseal: (data) => {
        const { plain, by } = open(data);
        return by === scheme ? null : current.encrypt(plain);
      },
    },
  };
}
