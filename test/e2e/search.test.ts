// Search in a real Chromium (issue 21, item 5): hits grouped per conversation, each group with its provider,
// channel and status; a name found once per conversation, not once per message; the channel filter; a hit
// opens its conversation at that message. Screenshots at 1280x720, light and dark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiDriver } from './driver';
import { findChromium } from '../helpers/chromium';
import { skipSuite } from '../helpers/skips';

const SUITE = 'search results in Chromium';
const browser = findChromium();
const skip = skipSuite(SUITE, typeof browser === 'string' ? browser : null, { requiredInCi: true });
const unique = (word: string) => `${word}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

describe.skipIf(skip)(SUITE, () => {
  let d: UiDriver;

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
  });

  afterAll(async () => {
    await d?.close();
  });

  it('groups hits per conversation, says where each is from, filters by channel and opens a hit', async () => {
    const surname = unique('Wolkenstein');
    const keyword = unique('zeppelin');
    const zofia = { name: `Zofia ${surname}`, handle: 'zofia_w' };
    const piotr = { name: `Piotr ${surname}`, handle: 'piotr_w' };
    for (let i = 1; i <= 3; i++) d.customerWrites('instantchat', `Question ${i} about the ${keyword}`, zofia);
    d.customerWrites('chatapi', `Is the ${keyword} late?`, piotr);
    const list = d.page.getByRole('listbox', { name: 'Conversations' });
    await list.getByText(`Is the ${keyword} late?`).waitFor({ timeout: 20_000 });
    await list.getByText(`Question 3 about the ${keyword}`).waitFor({ timeout: 20_000 });

    const box = d.page.getByRole('searchbox', { name: 'Search messages and contacts' });
    const results = d.page.getByRole('list', { name: 'Search results' });
    const groups = results.locator('> li');

    // By name: one group per conversation (two people, two channels), not one row per message.
    await box.fill(surname);
    await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(2);
    await d.page.getByRole('status').filter({ hasText: '2 results in 2 conversations' }).waitFor();
    const zofiaGroup = results.getByRole('listitem', { name: zofia.name });
    await expect.poll(() => zofiaGroup.locator('.provider-badge').textContent()).toBe('InstantChat');
    await expect.poll(() => zofiaGroup.locator('.conv-channel').textContent()).toMatch(/instantchat/i);
    await expect.poll(() => zofiaGroup.locator('.pill').textContent()).toBe('Open');

    // By a word: Zofia's three messages under her one group, Piotr's under his.
    await box.fill(keyword);
    await d.page.getByRole('status').filter({ hasText: '4 results in 2 conversations' }).waitFor();
    expect(await groups.count()).toBe(2);
    expect(await zofiaGroup.getByRole('button').count()).toBe(3);
    for (const scheme of ['light', 'dark'] as const) {
      await d.page.setViewportSize({ width: 1280, height: 720 });
      await d.page.emulateMedia({ colorScheme: scheme });
      await expect.poll(() => d.page.locator('html').getAttribute('data-theme')).toBe(scheme);
      await d.screenshot(`search-grouped-${scheme}`);
    }
    await d.page.emulateMedia({ colorScheme: 'light' });

    // The channel filter leaves Piotr's ChatAPI conversation.
    await d.page
      .getByRole('group', { name: 'Search filters' })
      .getByLabel('Channel')
      .selectOption({ value: d.channels.chatapi });
    await d.page.getByRole('status').filter({ hasText: '1 result in 1 conversation' }).waitFor();
    expect(await results.getByRole('listitem', { name: piotr.name }).count()).toBe(1);

    // Keyboard: ArrowDown from the box to the hit, Enter opens the conversation at that message.
    await box.focus();
    await d.page.keyboard.press('ArrowDown');
    await d.page.keyboard.press('Enter');
    await d.page.locator('.msg.is-highlighted', { hasText: `Is the ${keyword} late?` }).waitFor();
  });
});
