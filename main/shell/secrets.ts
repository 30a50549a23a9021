// Channel credentials at rest, encrypted with the OS keychain / DPAPI / libsecret via safeStorage.
import { safeStorage } from 'electron';
import type { SecretBox } from '../core';

/** Call after app `ready`: safeStorage is not usable before. */
export function createSafeStorageBox(): SecretBox {
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    console.warn(
      'agent-inbox: no OS keyring found; channel credentials are stored obfuscated, not encrypted',
    );
  }
  return {
    encrypt(plain: string): Buffer {
      assertAvailable();
      return safeStorage.encryptString(plain);
    },
    decrypt(data: Buffer): string {
      assertAvailable();
      return safeStorage.decryptString(data);
    },
  };
}

function assertAvailable(): void {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error(
      'OS credential encryption is unavailable (no keychain or keyring); cannot store channel credentials',
    );
  }
}
