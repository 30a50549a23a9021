// Renders the tray model of main/notifications/tray.ts with Electron's Tray and Menu.
import { Menu, type MenuItemConstructorOptions, type NativeImage, Tray, app, nativeImage } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MenuItemDescriptor, TrayAction, TrayIcon, TrayModel } from '../notifications/tray';

export class TrayView {
  private readonly tray: Tray;
  private readonly icons: Record<TrayIcon, NativeImage>;
  private rendered = '';

  constructor(
    resourcesDir: string,
    private readonly onAction: (action: TrayAction) => void,
  ) {
    this.icons = {
      tray: loadIcon(resourcesDir, 'tray'),
      'tray-unread': loadIcon(resourcesDir, 'tray-unread'),
    };
    this.tray = new Tray(this.icons.tray);
    this.tray.on('click', () => onAction('open'));
  }

  render(model: TrayModel): void {
    const key = JSON.stringify(model);
    if (key === this.rendered) return;
    this.rendered = key;
    this.tray.setImage(this.icons[model.icon]);
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((item) => this.toTemplate(item))));
    app.setBadgeCount(model.badgeCount);
  }

  destroy(): void {
    this.tray.destroy();
  }

  private toTemplate(item: MenuItemDescriptor): MenuItemConstructorOptions {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: item.items.map((child) => this.toTemplate(child)) };
      case 'checkbox':
        return {
          type: 'checkbox',
          label: item.label,
          checked: item.checked,
          click: () => this.onAction(item.action),
        };
      case 'normal': {
        const { action } = item;
        return {
          label: item.label,
          enabled: item.enabled,
          click: action ? () => this.onAction(action) : undefined,
        };
      }
    }
  }
}

// Icons from resources/, read through fs so they load from inside app.asar too (nativeImage's own path
// loading does not go through Electron's asar layer on every platform). name@2x.png is added for HiDPI.
export function loadIcon(resourcesDir: string, name: string): NativeImage {
  const image = nativeImage.createFromBuffer(readFileSync(join(resourcesDir, `${name}.png`)), {
    scaleFactor: 1,
  });
  const hiDpi = join(resourcesDir, `${name}@2x.png`);
  if (existsSync(hiDpi)) image.addRepresentation({ scaleFactor: 2, buffer: readFileSync(hiDpi) });
  return image;
}
