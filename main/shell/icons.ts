// Icons from resources/, read through fs so they load from inside app.asar too (nativeImage's own path
// loading does not go through Electron's asar layer on every platform). name@2x.png is added for HiDPI.
import { nativeImage, type NativeImage } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadIcon(resourcesDir: string, name: string): NativeImage {
  const image = nativeImage.createFromBuffer(readFileSync(join(resourcesDir, `${name}.png`)), {
    scaleFactor: 1,
  });
  const hiDpi = join(resourcesDir, `${name}@2x.png`);
  if (existsSync(hiDpi)) image.addRepresentation({ scaleFactor: 2, buffer: readFileSync(hiDpi) });
  return image;
}
