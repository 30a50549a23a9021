// A personalised broadcast in a real Chromium: an unknown variable is named under the message and blocks the
// review, the preview steps through the first recipients with their names filled in, the confirmed count is the
// count sent (an audience that grew meanwhile is shown to confirm again, nothing sent), the history lists each
// recipient with its status, and the copy in a customer's thread says which broadcast it came from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Broadcast,
  BroadcastPreview,
  BroadcastRecipient,
  Conversation,
  PageOf,
} from '../../main/contract/schemas';
import { api, waitFor } from '../helpers/api';
import { smallestAudienceTag, UiDriver } from './driver';
import { findChromium } from '../helpers/chromium';
import { skipSuite } from '../helpers/skips';

const SUITE = 'a personalised broadcast in Chromium';
const browser = findChromium();
const skip = skipSuite(SUITE, typeof browser === 'string' ? browser : null, { requiredInCi: true });

const recipientsLabel = (n: number) => `${n} ${n === 1 ? 'recipient' : 'recipients'}`;

describe.skipIf(skip)(SUITE, () => {
  let d: UiDriver;

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
  });

  afterAll(async () => {
    await d?.close();
  });

  it('refuses an unknown variable, previews per recipient, sends, and reports each recipient', async () => {
    const tag = await smallestAudienceTag(d);
    const marker = Date.now().toString(36);
    const name = `Personal ${marker}`;
    await d.open('Broadcasts');
    const form = d.page.getByRole('form', { name: 'New broadcast' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    const message = form.getByLabel('Message');
    await message.fill('Your order {{order_id}} shipped');
    const tags = form.getByLabel('Contact tags', { exact: true });
    await tags.fill(tag.tag);
    await tags.press('Enter');
    await form
      .getByRole('alert')
      .getByText(/\{\{order_id\}\}/)
      .waitFor();
    await expect.poll(() => form.getByRole('button', { name: 'Review and send…' }).isDisabled()).toBe(true);

    const text = `Hi {{ first_name | there }}, sale ${marker}`;
    await message.fill(text);
    const preview = d.page.getByRole('region', { name: 'Message preview' });
    const expected = (
      await api<BroadcastPreview>(d.client, 'POST', '/api/v1/broadcasts/preview', {
        audience: { tags: [tag.tag] },
        text,
      })
    ).body.samples;
    await preview.getByText(expected[0].text, { exact: true }).waitFor();
    await preview.getByText(expected[0].contactName || 'a contact without a name').waitFor();
    expect(expected[0].text).not.toContain('{{');
    if (expected.length > 1) {
      await preview.getByRole('button', { name: 'Next recipient' }).click();
      await preview.getByText(expected[1].text, { exact: true }).waitFor();
    }
    await d.screenshot('broadcast-preview');

    await form.getByText(recipientsLabel(tag.total), { exact: true }).waitFor();
    await form.getByRole('button', { name: 'Review and send…' }).click();
    await d.page
      .getByRole('dialog')
      .getByRole('button', { name: `Send to ${recipientsLabel(tag.total)}` })
      .click();

    const sent = await waitFor(
      'the broadcast to complete',
      async () => {
        const b = (await d.get<{ items: Broadcast[] }>('/api/v1/broadcasts')).items.find(
          (x) => x.name === name,
        );
        return b && ['completed', 'failed'].includes(b.status) ? b : null;
      },
      60_000,
    );
    expect(sent).toMatchObject({ status: 'completed', total: tag.total, sent: tag.total });

    const item = d.page
      .getByRole('list', { name: 'Broadcast history' })
      .getByRole('listitem')
      .filter({ hasText: name })
      .first();
    await item.getByRole('button', { name: 'Recipients' }).click();
    const list = item.getByRole('list', { name: `Recipients of ${name}` });
    await expect.poll(() => list.getByText('Sent', { exact: true }).count()).toBe(Math.min(tag.total, 50));
    await d.screenshot('broadcast-recipients');

    // One recipient whose conversation the inbox lists by default (open ones), opened from the list.
    const recipients = await d.get<PageOf<BroadcastRecipient>>(`/api/v1/broadcasts/${sent.id}/recipients`);
    let open: BroadcastRecipient | undefined;
    for (const r of recipients.items) {
      const c = await d.get<Conversation>(`/api/v1/conversations/${r.conversationId}`);
      if (c.status === 'open' && r.contactName) open = r;
      if (open) break;
    }
    if (!open) throw new Error('no recipient has an open conversation in the simulated workspace');
    await d.open('Inbox');
    await d.page
      .getByRole('listbox', { name: 'Conversations' })
      .getByRole('option')
      .filter({ hasText: open.contactName })
      .first()
      .click();
    const log = d.page.getByRole('log', { name: 'Messages' });
    await log.getByText(`Broadcast: ${name}`).waitFor();
  });

  it('shows a count that changed while it was being confirmed, and sends nothing until confirmed again', async () => {
    const channelId = d.channels.chatapi;
    const marker = Date.now().toString(36);
    await d.open('Broadcasts');
    const form = d.page.getByRole('form', { name: 'New broadcast' });
    await form.getByLabel('Name', { exact: true }).fill(`Recount ${marker}`);
    await form.getByLabel('Message').fill(`Recount ${marker}`);
    await form.getByRole('checkbox', { name: 'chatapi test' }).check();
    const count = async () =>
      (
        await api<BroadcastPreview>(d.client, 'POST', '/api/v1/broadcasts/preview', {
          audience: { channelIds: [channelId] },
        })
      ).body.total;
    const before = await count();
    await form.getByText(recipientsLabel(before), { exact: true }).waitFor();
    await form.getByRole('button', { name: 'Review and send…' }).click();
    const dialog = d.page.getByRole('dialog');
    await dialog.getByRole('button', { name: `Send to ${recipientsLabel(before)}` }).waitFor();

    d.customerWrites('chatapi', `hello ${marker}`, { name: 'Late Arrival', handle: `late_${marker}` });
    await waitFor('the newcomer in the audience', async () => (await count()) === before + 1, 20_000);
    await dialog.getByRole('button', { name: `Send to ${recipientsLabel(before)}` }).click();
    await dialog
      .getByRole('alert')
      .getByText(new RegExp(`${before + 1} recipients now, not ${before}`))
      .waitFor();
    await dialog.getByRole('button', { name: `Send to ${recipientsLabel(before + 1)}` }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    const made = (await d.get<{ items: Broadcast[] }>('/api/v1/broadcasts')).items;
    expect(made.filter((b) => b.name === `Recount ${marker}`)).toEqual([]);
    expect(d.sentTexts('chatapi').filter((t) => t.includes(marker))).toEqual([]);
  });
});
