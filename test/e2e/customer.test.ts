// The customer in the contact panel, in a real Chromium (issue 21, item 6): the same person writing on ChatPion and
// ChatAPI is merged by the agent, the other channel's conversation shows in the panel and opens on a click, the note
// is kept, and Unmerge (and its Undo) separate and rejoin them without losing a conversation.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../main/contract/schemas';
import { waitFor } from '../helpers/api';
import { UiDriver } from './driver';
import { findChromium } from '../helpers/chromium';
import { skipSuite } from '../helpers/skips';

const SUITE = 'the customer across channels in Chromium';
const browser = findChromium();
const skip = skipSuite(SUITE, typeof browser === 'string' ? browser : null, { requiredInCi: true });

describe.skipIf(skip)(SUITE, () => {
  let d: UiDriver;

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
  });

  afterAll(async () => {
    await d?.close();
  });

  it('merges, opens the other channel’s conversation, keeps the note, and unmerges', async () => {
    const list = d.page.getByRole('listbox', { name: 'Conversations' });
    const panel = d.page.getByRole('complementary', { name: 'Contact' });
    d.customerWrites('chatpion', 'Did my parcel leave the warehouse?', {
      name: 'Mira Merge',
      handle: 'mira_pion',
    });
    d.customerWrites('chatapi', 'Writing here too: any news on the parcel?', {
      name: 'Mira Merge',
      handle: 'mira_api',
    });
    const rows = list.getByRole('option').filter({ hasText: 'Mira Merge' });
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    await rows.filter({ hasText: 'Did my parcel' }).click();
    await panel.getByText('None on any channel.').waitFor();

    await panel.getByRole('button', { name: 'Merge with…' }).click();
    await panel.getByRole('searchbox', { name: 'Find a customer to merge with' }).fill('Mira Merge');
    await panel
      .getByRole('list', { name: 'Customers to merge with' })
      .getByRole('button', { name: /Mira Merge/ })
      .click();
    const others = panel.getByRole('region', { name: 'Other conversations' });
    const other = others.getByRole('button', { name: /any news on the parcel/ });
    await other.waitFor();
    await expect.poll(() => other.textContent()).toMatch(/ChatAPI/);

    const note = panel.getByRole('textbox', { name: /Note about this customer/ });
    await note.fill('Prefers to be written to on ChatAPI.');
    await panel.getByRole('button', { name: 'Save note' }).click();
    await panel.getByRole('button', { name: 'Save note' }).waitFor({ state: 'detached' });
    await d.page.getByText('Note saved.').waitFor({ state: 'detached' });
    await note.scrollIntoViewIfNeeded();

    for (const scheme of ['light', 'dark'] as const) {
      await d.page.setViewportSize({ width: 1280, height: 720 });
      await d.page.emulateMedia({ colorScheme: scheme });
      await expect.poll(() => d.page.locator('html').getAttribute('data-theme')).toBe(scheme);
      await d.screenshot(`inbox-customer-${scheme}`);
    }
    await d.page.emulateMedia({ colorScheme: 'light' });

    // The other channel's conversation opens from the panel, under the same customer and note.
    await other.click();
    await d.page.getByRole('log', { name: 'Messages' }).getByText('Writing here too').waitFor();
    await expect.poll(() => note.inputValue()).toBe('Prefers to be written to on ChatAPI.');
    const merged = await d.get<{ items: { customerId: string; contact: { name: string } }[] }>(
      '/api/v1/conversations?q=Mira%20Merge',
    );
    expect(new Set(merged.items.map((c) => c.customerId)).size).toBe(1);

    // Unmerge the ChatPion contact: this conversation (ChatAPI) keeps the note and no longer lists the other.
    await panel.getByRole('button', { name: /^Unmerge Mira Merge \(.*chatpion/i }).click();
    await others.getByText('None on any channel.').waitFor();
    const apart = await d.get<{ items: { customerId: string }[] }>('/api/v1/conversations?q=Mira%20Merge');
    expect(apart.items).toHaveLength(2);
    expect(new Set(apart.items.map((c) => c.customerId)).size).toBe(2);

    // Undo, from the notice, merges them back.
    await d.page.getByRole('button', { name: 'Undo' }).click();
    await others.getByRole('button', { name: /Did my parcel/ }).waitFor();
    const customer = await d.get<Customer>(`/api/v1/customers/${merged.items[0].customerId}`);
    expect(customer.conversations).toHaveLength(2);
    expect(customer.note).toBe('Prefers to be written to on ChatAPI.');
    await waitFor('screenshots written', () =>
      fs.existsSync(path.resolve('test-results/screenshots/inbox-customer-dark.png')),
    );
  });
});
