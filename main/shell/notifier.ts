// Shows what the notification policy decided as native notifications and reports clicks.
import { Notification, type NativeImage } from 'electron';
import type { DesktopNotification } from '../contract/notificationPolicy';

/** Native notifications must stay referenced until clicked or closed, or their click events are lost. */
const MAX_LIVE = 50;

export class DesktopNotifier {
  private readonly live = new Set<Notification>();

  constructor(
    private readonly icon: NativeImage,
    private readonly onClick: (n: DesktopNotification) => void,
  ) {}

  show(n: DesktopNotification): void {
    if (!Notification.isSupported()) return;
    const native = new Notification({ title: n.title, body: n.body, silent: n.silent, icon: this.icon });
    this.live.add(native);
    if (this.live.size > MAX_LIVE) {
      const oldest = this.live.values().next().value;
      if (oldest) this.live.delete(oldest);
    }
    native.on('click', () => {
      this.live.delete(native);
      this.onClick(n);
    });
    native.on('close', () => this.live.delete(native));
    native.show();
  }
}
