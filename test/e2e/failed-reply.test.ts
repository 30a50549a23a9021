// A reply too long for where it goes, in a real Chromium. Where the platform's limit is known (Instagram: 1,000)
// the composer counts against it and holds the reply with the reason, the text kept. Where only the provider
// knows (ChatPion takes 2,000 characters, a WhatsApp or Telegram customer 4,096): the inbox row is marked
// "! Not delivered", the thread's "Not delivered" line says why in a sentence, in view above the composer, and
// "Edit and resend" puts the text back in reach; the shorter text reaches the provider once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../main/contract/schemas';
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

  it('counts against a known limit and holds an over-long reply with the reason, the text kept', async () => {
    const list = d.page.getByRole('listbox', { name: 'Conversations' });
    const hello = `Quick question ${Date.now().toString(36)}`;
    d.customerWrites('instantchat', hello, customer);
    await list.getByRole('option').filter({ hasText: hello }).click();
    const composer = d.page.locator('#composer');
    const hint = d.page.locator('.composer-hint');

    await composer.fill('y'.repeat(700));
    expect(await hint.locator('.composer-count').count(), 'under 80 %: no count').toBe(0);
    await composer.fill('y'.repeat(850));
    await hint.getByText('850 / 1,000').waitFor();

    await composer.fill('y'.repeat(1200));
    const why = d.page.getByRole('alert').filter({ hasText: 'accepts at most' });
    await why.waitFor();
    expect(await why.textContent()).toBe(
      'InstantChat accepts at most 1,000 characters for Instagram: this reply has 1,200. Shorten it to send.',
    );
    await hint.getByText('1,200 / 1,000').waitFor();
    await d.screenshot('composer-over-limit');
    const send = d.page.getByRole('button', { name: 'Send', exact: true });
    expect(await send.isDisabled()).toBe(true);
    await composer.press('Enter');
    expect((await composer.inputValue()).length).toBe(1200);
    expect(d.sentTexts('instantchat').some((t) => t.startsWith('yyyy'))).toBe(false);
    await composer.fill('');
  });

  it('marks the row, shows the failure above the composer, and resends the edited text', async () => {
    const list = d.page.getByRole('listbox', { name: 'Conversations' });
    // A customer on WhatsApp or Telegram (4,096 characters): ChatPion's own 2,000 only its answer tells.
    const conversations = await d.get<{ items: Conversation[] }>(
      `/api/v1/conversations?channel=${d.channels.chatpion}&limit=200`,
    );
    const target = conversations.items.find((c) => c.maxTextLength === 4096);
    expect(target, 'a ChatPion customer on WhatsApp or Telegram').toBeDefined();
    const hello = `Can you send me the full terms? ${Date.now().toString(36)}`;
    d.customerWrites('chatpion', hello, { name: target!.contact.name, handle: target!.contact.handle });
    await list.getByRole('option').filter({ hasText: hello }).click();
    // The open conversation's row (its preview changes from the customer's words to the reply's state).
    const row = list.getByRole('option', { selected: true });
    const composer = d.page.locator('#composer');
    await composer.fill('x'.repeat(2500));
    await composer.press('Enter');

    await row.getByText('! Not delivered').waitFor({ timeout: 20_000 });
    const log = d.page.getByRole('log', { name: 'Messages' });
    const failure = log.getByText(/^Not delivered/);
    await failure.waitFor();
    expect(await failure.textContent()).toBe(
      'Not delivered: ChatPion refused this reply: it is longer than 2,000 characters',
    );
    await d.screenshot('reply-refused-by-provider');
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
