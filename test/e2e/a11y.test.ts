// Accessibility in a real Chromium: axe-core finds no serious or critical violation on any screen (the
// inbox with a conversation open and picked for a bulk action, broadcasts, flows, channels, settings), in the light and the dark theme.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiDriver } from './driver';
import { seriousViolations } from '../helpers/axe';
import { findChromium } from '../helpers/chromium';
import { skipSuite } from '../helpers/skips';

const SUITE = 'accessibility in Chromium (axe-core)';
const browser = findChromium();
const skip = skipSuite(SUITE, typeof browser === 'string' ? browser : null, { requiredInCi: true });
const SCREENS = ['Inbox', 'Broadcasts', 'Flows', 'Channels', 'Settings'] as const;

describe.skipIf(skip)(SUITE, () => {
  let d: UiDriver;

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
    d.customerWrites('chatpion', 'Is the shop open on Sunday?', { name: 'Ada Axe', handle: 'ada_axe' });
    await d.page.getByRole('listbox', { name: 'Conversations' }).getByText('Ada Axe').waitFor();
  });

  afterAll(async () => {
    await d?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious or critical violation on any screen, ${scheme}`, async () => {
      await d.page.emulateMedia({ colorScheme: scheme });
      await expect
        .poll(() => d.page.locator('html').getAttribute('data-theme'), { timeout: 5000 })
        .toBe(scheme);
      const found: string[] = [];
      for (const screen of SCREENS) {
        await d.open(screen);
        if (screen === 'Inbox') {
          await d.page.getByRole('listbox', { name: 'Conversations' }).getByText('Ada Axe').click();
          await d.page.getByRole('log', { name: 'Messages' }).getByText('Is the shop open').waitFor();
          // A picked row: the checkboxes and the bulk bar are checked too.
          await d.page.getByRole('option').filter({ hasText: 'Ada Axe' }).locator('.conv-pick').click();
          await d.page.getByRole('toolbar', { name: 'Actions on the selected conversations' }).waitFor();
        } else {
          await d.page.getByRole('heading', { level: 1, name: screen }).waitFor();
        }
        found.push(...(await seriousViolations(d.page, `${scheme}/${screen}`)));
        if (screen === 'Inbox') {
          // Search: hits grouped per conversation, with their filters.
          const box = d.page.getByRole('searchbox', { name: 'Search messages and contacts' });
          await box.fill('Ada Axe');
          await d.page.getByRole('list', { name: 'Search results' }).getByText('Ada Axe').first().waitFor();
          found.push(...(await seriousViolations(d.page, `${scheme}/Search`)));
          await box.fill('');
        }
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }
});
