// Which scheme seals credentials in the desktop app, with a stand-in for Electron's safeStorage (the only
// thing faked). Linux without a keyring ('basic_text': Chromium's built-in password, plain text in effect)
// uses web mode's key file; what the other scheme sealed stays readable and is sealed again at start.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../main/core';
import { openStore } from '../../main/db';
import { desktopScheme, desktopSecretBox, type SafeStorage } from '../../main/secrets/desktop';
import { keyFilePath, keyFileSecretBox } from '../../main/secrets/keyfile';
import { tempDir } from '../helpers/tmp';

/** safeStorage as Electron has it on a machine with `backend`: 'v10'/'v11' + an obfuscation of the text. */
function fakeSafeStorage(backend: string | undefined, available = true): SafeStorage {
  const prefix = backend === 'basic_text' ? 'v10' : 'v11';
  return {
    isEncryptionAvailable: () => available,
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
    encryptString: (plain) => {
      return Buffer.concat([Buffer.from(prefix), Buffer.from(plain).map((b) => b ^ 0x5a)]);
    },
    decryptString: (data) => {
      if (!['v10', 'v11'].includes(data.subarray(0, 3).toString())) throw new Error('not safeStorage data');
      return Buffer.from(data.subarray(3).map((b) => b ^ 0x5a)).toString();
    },
  };
}

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('the desktop secret scheme', () => {
  it('is the key file on Linux without a keyring, safeStorage everywhere else', () => {
    expect(desktopScheme(fakeSafeStorage('basic_text'), 'linux')).toBe('keyfile');
    expect(desktopScheme(fakeSafeStorage('gnome_libsecret'), 'linux')).toBe('safeStorage');
    expect(desktopScheme(fakeSafeStorage('kwallet6'), 'linux')).toBe('safeStorage');
    // getSelectedStorageBackend is Linux-only: elsewhere it is not there to ask.
    expect(desktopScheme(fakeSafeStorage(undefined), 'darwin')).toBe('safeStorage');
    expect(desktopScheme(fakeSafeStorage(undefined), 'win32')).toBe('safeStorage');
  });

  it('without a keyring: seals with the 0600 key file, still opens what basic_text sealed, and reseals it', () => {
    const safe = fakeSafeStorage('basic_text');
    const before = safe.encryptString('{"apiKey":"sealed by basic_text"}');
    const { scheme, box } = desktopSecretBox(safe, tmp.dir, 'linux');
    expect(scheme).toBe('keyfile');

    const sealed = box.encrypt('{"apiKey":"k-123"}');
    expect(sealed.includes(Buffer.from('k-123'))).toBe(false);
    expect(keyFileSecretBox(tmp.dir).decrypt(sealed)).toBe('{"apiKey":"k-123"}');
    if (process.platform !== 'win32') expect(fs.statSync(keyFilePath(tmp.dir)).mode & 0o777).toBe(0o600);

    expect(box.decrypt(before)).toBe('{"apiKey":"sealed by basic_text"}');
    const resealed = box.reseal!(before)!;
    expect(keyFileSecretBox(tmp.dir).decrypt(resealed)).toBe('{"apiKey":"sealed by basic_text"}');
    expect(box.reseal!(sealed)).toBeNull();
  });

  it('with a keyring: seals with safeStorage, creates no key file, and takes over what a key file sealed', () => {
    const safe = fakeSafeStorage('gnome_libsecret');
    const none = desktopSecretBox(safe, tmp.dir, 'linux');
    expect(none.scheme).toBe('safeStorage');
    expect(none.box.decrypt(none.box.encrypt('hello'))).toBe('hello');
    expect(fs.existsSync(keyFilePath(tmp.dir))).toBe(false);

    // A run without a keyring left a key file and what it sealed.
    const byKeyFile = keyFileSecretBox(tmp.dir).encrypt('from the keyring-less days');
    const { box } = desktopSecretBox(safe, tmp.dir, 'linux');
    expect(box.decrypt(byKeyFile)).toBe('from the keyring-less days');
    const resealed = box.reseal!(byKeyFile)!;
    expect(resealed.subarray(0, 3).toString()).toBe('v11');
    expect(box.decrypt(resealed)).toBe('from the keyring-less days');
    expect(box.reseal!(resealed)).toBeNull();
  });

  it('refuses to seal when the OS cannot encrypt, saying why', () => {
    const { box } = desktopSecretBox(fakeSafeStorage(undefined, false), tmp.dir, 'darwin');
    expect(() => box.encrypt('x')).toThrow(/OS credential encryption is unavailable/);
  });

  it('at start the app reseals credentials and webhook secrets that basic_text sealed', async () => {
    const safe = fakeSafeStorage('basic_text');
    const dataDir = path.join(tmp.dir, 'data');
    fs.mkdirSync(dataDir);
    // What an earlier version stored through safeStorage alone.
    const store = openStore(path.join(dataDir, 'inbox.db'));
    store.channels.insert({
      id: 'ch1',
      provider: 'chatapi',
      name: 'Shop',
      baseUrl: 'http://127.0.0.1:9/api/v1',
      credentials: safe.encryptString('{"apiKey":"old-key"}'),
      webhookSecret: safe.encryptString('old-webhook-secret'),
    });
    store.channels.update('ch1', { paused: true });
    store.close();

    const { box } = desktopSecretBox(safe, dataDir, 'linux');
    const core = await createCore({ dataDir, secrets: box, log: () => undefined });
    try {
      const row = core.store.channels.get('ch1')!;
      const keyFile = keyFileSecretBox(dataDir);
      expect(keyFile.decrypt(row.credentials)).toBe('{"apiKey":"old-key"}');
      expect(keyFile.decrypt(row.webhook_secret_sealed!)).toBe('old-webhook-secret');
    } finally {
      await core.close();
    }
  });
});
