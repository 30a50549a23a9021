// A reply the provider refuses, in a real Chromium: the inbox row is marked "! Not delivered", the thread's
// "Not delivered" line is in view above the composer, and "Edit and resend" puts the text back in reach;
// the shorter text reaches the provider once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/api';
import { UiDriver } from './driver';
import { findChromium } from '../helpers/chromium';
import { skipSuite } from '../helpers/skips';

const SUITE = 'a refused reply in Chromium';
const browser = findChromium();
const skip = skipSuite(SUITE, typeof browser === 'string' ? browser : null, { requiredInCi: true });

describe.skipIf(skip)(SUITE, () => {
  let d: UiDriver;
  const customer = { name: 'Rhea Refused', handle: 'rhea_refused' };
  const shorter = `Shorter answer ${Date.now().toString(36)}`;

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
  });

  afterAll(async () => {
    await d?.close();
  });

  it('marks the row, shows the failure above the composer, and resends the edited text', async () => {
    const list = d.page.getByRole('listbox', { name: 'Conversations' });
    d.customerWrites('chatpion', 'Can you send me the full terms?', customer);
    await list.getByText(customer.name).click();
    const composer = d.page.locator('#composer');
    // ChatPion takes at most 2,000 characters.
    await composer.fill('x'.repeat(2500));
    await composer.press('Enter');

    const row = list.getByRole('option').filter({ hasText: customer.name });
    await row.getByText('! Not delivered').waitFor({ timeout: 20_000 });
    const log = d.page.getByRole('log', { name: 'Messages' });
    const failure = log.getByText(/^Not delivered/);
    await failure.waitFor();
    const [line, pane] = await Promise.all([failure.boundingBox(), log.boundingBox()]);
    expect(line && pane && line.y + line.height <= pane.y + pane.height).toBe(true);

    await log.getByRole('button', { name: 'Edit and resend' }).click();
    const editor = d.page.getByRole('textbox', { name: 'Text of the failed reply' });
    await expect.poll(() => editor.inputValue()).toMatch(/^x{2500}$/);
    await editor.fill(shorter);
    await d.page.getByRole('button', { name: 'Resend', exact: true }).click();
    await waitFor('the edited reply at ChatPion', async () => d.sentTexts('chatpion').includes(shorter));
    expect(d.sentTexts('chatpion').filter((t) => t === shorter)).toHaveLength(1);
    await expect.poll(() => row.getByText('! Not delivered').count(), { timeout: 10_000 }).toBe(0);
  });
});
