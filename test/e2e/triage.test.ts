// Triage in a real Chromium: the inbox opens on open work, three conversations are picked (checkbox,
// shift-click for the range, x on the cursor row) and resolved in one go, leaving open work for All; the
// filters are saved as a view that is still there after a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../main/contract/schemas';
import { waitFor } from '../helpers/api';
import { UiDriver } from './driver';
import { findChromium } from '../helpers/chromium';
import { skipSuite } from '../helpers/skips';

const SUITE = 'triage in Chromium';
const browser = findChromium();
const skip = skipSuite(SUITE, typeof browser === 'string' ? browser : null, { requiredInCi: true });

describe.skipIf(skip)(SUITE, () => {
  let d: UiDriver;
  const stamp = Date.now().toString(36);
  const customers = ['Tia', 'Uma', 'Vic'].map((n) => ({ name: `${n} ${stamp}`, handle: `${n}_${stamp}` }));

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
  });
  afterAll(async () => {
    await d?.close();
  });

  const list = () => d.page.getByRole('listbox', { name: 'Conversations' });
  const row = (name: string) => list().getByRole('option').filter({ hasText: name });
  const views = () => d.page.getByRole('group', { name: 'Views' });

  it('picks three conversations and resolves them in one go', async () => {
    await expect(
      views().getByRole('button', { name: 'Open work' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    for (const c of customers) {
      d.customerWrites('instantchat', `Order question from ${c.name}`, c);
      await row(c.name).waitFor({ timeout: 20_000 });
    }
    // Newest first: Vic, Uma, Tia. Pick Vic, then shift-click Tia for the range.
    await row(customers[2].name).locator('.conv-pick').click();
    await row(customers[0].name)
      .locator('.conv-pick')
      .click({ modifiers: ['Shift'] });
    const count = d.page.locator('.bulk-count');
    await expect.poll(() => count.textContent()).toBe('3 selected');
    for (const c of customers) await expect(row(c.name).getAttribute('aria-checked')).resolves.toBe('true');

    // x on the cursor row (j puts it on the first row) lets go of it and picks it again.
    await list().focus();
    await d.page.keyboard.press('j');
    await d.page.keyboard.press('x');
    await expect.poll(() => count.textContent()).toBe('2 selected');
    await d.page.keyboard.press('x');
    await expect.poll(() => count.textContent()).toBe('3 selected');

    await d.page
      .getByRole('toolbar', { name: 'Actions on the selected conversations' })
      .getByRole('button', { name: 'Resolve' })
      .click();
    await d.page.getByRole('status').getByText('3 resolved.').waitFor();
    for (const c of customers) await row(c.name).waitFor({ state: 'detached' });
    await expect.poll(() => count.textContent()).toBe('');
    const all = await d.get<{ items: Conversation[] }>('/api/v1/conversations?limit=200&status=resolved');
    const resolved = customers.filter((c) => all.items.some((x) => x.contact.name === c.name));
    expect(resolved).toHaveLength(3);

    await views().getByRole('button', { name: 'All' }).click();
    for (const c of customers) await row(c.name).waitFor();
    await d.screenshot('triage-all');
  });

  it('saves the filters as a view that survives a reload', async () => {
    await d.page.getByLabel('Status', { exact: true }).selectOption({ label: 'Resolved' });
    await d.page.getByRole('button', { name: 'Save view…' }).click();
    await d.page.getByRole('textbox', { name: 'View name' }).fill('Done today');
    await d.page.getByRole('button', { name: 'Save', exact: true }).click();
    const saved = views().getByRole('button', { name: 'Done today' });
    await expect.poll(() => saved.getAttribute('aria-pressed')).toBe('true');
    await waitFor('the view stored', async () =>
      (await d.get<{ items: { name: string }[] }>('/api/v1/views')).items.some(
        (v) => v.name === 'Done today',
      ),
    );

    await d.page.reload();
    await views().getByRole('button', { name: 'Open work' }).waitFor();
    await expect(saved.getAttribute('aria-pressed')).resolves.toBe('false');
    await saved.click();
    await row(customers[0].name).waitFor();
    await expect(d.page.getByLabel('Status', { exact: true }).inputValue()).resolves.toBe('resolved');
  });
});
