// What the Electron e2e tests read from the main process (via Playwright's electronApp.evaluate).
// Installed only when AGENT_INBOX_TEST=1.
import type { DesktopNotification } from '../contract/notificationPolicy';
import type { TrayModel } from '../notifications/tray';

export interface ShellTestHook {
  /** Every notification the policy decided to show, in order (whether or not the OS displays it). */
  notifications: DesktopNotification[];
  trayModel: TrayModel | null;
  secondInstances: number;
  /** Acts as if the user clicked notification `index`. */
  clickNotification(index: number): void;
}

declare global {
  var __agentInboxTest: ShellTestHook | undefined;
}

export function installTestHook(onClick: (n: DesktopNotification) => void): ShellTestHook {
  const hook: ShellTestHook = {
    notifications: [],
    trayModel: null,
    secondInstances: 0,
    clickNotification(index) {
      const n = hook.notifications[index];
      if (!n) throw new Error(`no notification #${index} (have ${hook.notifications.length})`);
      onClick(n);
    },
  };
  globalThis.__agentInboxTest = hook;
  return hook;
}
