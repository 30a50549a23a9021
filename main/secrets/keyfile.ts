// Credentials at rest in web mode: AES-256-GCM with a random key kept in DATA_DIR/secret.key (mode 0600).
// The desktop app uses Electron's safeStorage instead, or this too where safeStorage has no real keyring
// (main/secrets/desktop.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SecretBox {
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
  /** A value sealed by an earlier scheme, sealed again by the current one; null when it is current already. */
  reseal?(data: Buffer): Buffer | null;
}

export const keyFilePath = (dataDir: string) => path.join(dataDir, 'secret.key');

function loadOrCreateKey(file: string): Buffer {
  try {
    const key = fs.readFileSync(file);
    if (key.length === 32) return key;
    throw new Error(`${file} is damaged (expected 32 bytes); stored credentials cannot be read`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  return key;
}

export function keyFileSecretBox(dataDir: string): SecretBox {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return aesGcmSecretBox(loadOrCreateKey(keyFilePath(dataDir)));
}

/** Seals with AES-256-GCM under a 32-byte key: iv (12) ‖ tag (16) ‖ ciphertext. */
export function aesGcmSecretBox(key: Buffer): SecretBox {
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
