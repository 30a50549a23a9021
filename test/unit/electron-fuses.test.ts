// The packaged app's Electron fuses, read the way electron-builder reads them: its own config loader and
// schema check on electron-builder.yml, then its own translation into @electron/fuses wires (flipped in the
// binary right before signing).
import { createRequire } from 'node:module';
import { PlatformPackager, type FuseOptionsV1 } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

/** @electron/fuses as electron-builder resolves it. */
const fromBuilder = createRequire(createRequire(import.meta.url).resolve('app-builder-lib'));
const fuses = fromBuilder('@electron/fuses') as {
  FuseV1Options: Record<string, number>;
};

/** electron-builder's own step from the config's `electronFuses` to the wires it flips. */
const wiresOf = (o: FuseOptionsV1) =>
  (
    PlatformPackager.prototype as unknown as {
      generateFuseConfig(o: FuseOptionsV1): Promise<Record<string, unknown>>;
    }
  ).generateFuseConfig(o);

describe('electron-builder config', () => {
  it('turns off running as Node, NODE_OPTIONS and inspect flags; loads only the checked app.asar', async () => {
    const config = await getConfig(process.cwd(), null, null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.electronFuses).toBeTruthy();

    const wires = await wiresOf(config.electronFuses!);
    const { FuseV1Options: F } = fuses;
    expect(wires).toMatchObject({
      [F.RunAsNode]: false,
      [F.EnableNodeOptionsEnvironmentVariable]: false,
      [F.EnableNodeCliInspectArguments]: false,
      [F.OnlyLoadAppFromAsar]: true,
      [F.EnableEmbeddedAsarIntegrityValidation]: true,
      [F.EnableCookieEncryption]: true,
      [F.GrantFileProtocolExtraPrivileges]: false,
    });
    // The app is packed into an asar (only loading from it means nothing otherwise).
    expect(config.asar).not.toBe(false);
  });
});
