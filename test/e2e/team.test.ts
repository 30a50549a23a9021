// Team mode in a real Chromium (issue 20). Solo: no team control anywhere (GET /api/v1/team is null), only the
// sign-in form under Settings → Team. Team: a real hub on an embedded PostgreSQL of this file's own, two desktop
// cores signed in as Ana and Ben, a page each — a claim race shows the loser who won, a note reads as an
// internal note on the other desktop, and typing shows "Ana is typing…" on Ben's.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createCore, type Core } from '../../main/core';
import type { Conversation } from '../../main/contract/schemas';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../hub/pg/embedded';
import { api, waitFor, type ApiClient } from '../helpers/api';
import { seriousViolations } from '../helpers/axe';
import { CHROMIUM_ARGS, findChromium } from '../helpers/chromium';
import { seedConversation, setUpTeam, startTestHub, type TestHub } from '../helpers/hubTeam';
import { skipSuite } from '../helpers/skips';
import { tempDir } from '../helpers/tmp';
import { UiDriver } from './driver';

const RENDERER_DIR = path.resolve(process.env.E2E_OUT_DIR ?? 'out', 'renderer');
const browser = findChromium();
const noBrowser = typeof browser === 'string' ? browser : null;

const SOLO = 'team mode hidden in solo mode, in Chromium';
describe.skipIf(skipSuite(SOLO, noBrowser, { requiredInCi: true }))(SOLO, () => {
  let d: UiDriver;

  beforeAll(async () => {
    d = await UiDriver.start(browser as { executablePath?: string });
  });

  afterAll(async () => {
    await d?.close();
  });

  it('shows no assignment, notes, presence or assignee views; Settings offers to sign in', async () => {
    expect(await d.get('/api/v1/team')).toBeNull();
    const page = d.page;
    await page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first().click();
    await page.getByRole('textbox', { name: /^Reply to / }).waitFor();

    await page.keyboard.press('a');
    for (const hidden of [
      page.getByRole('group', { name: 'Assignment' }),
      page.getByRole('radiogroup', { name: 'Write a' }),
      page.getByRole('group', { name: 'Assignee' }),
      page.getByText('Internal note'),
      page.getByRole('button', { name: 'Claim' }),
    ])
      expect(await hidden.count()).toBe(0);

    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog');
    await palette.getByRole('combobox', { name: 'Type a command' }).fill('claim');
    expect(await palette.getByText(/Claim conversation/).count()).toBe(0);
    await page.keyboard.press('Escape');

    await d.open('Settings');
    const team = page.getByRole('region', { name: 'Team' });
    await team.getByRole('button', { name: 'Sign in to the team' }).waitFor();
  });
});

interface Desktop {
  core: Core;
  client: ApiClient;
  page: Page;
  cleanup: () => void;
}

const TEAM = 'two agents on a hub, in Chromium';
describe.skipIf(skipSuite(TEAM, noBrowser, { requiredInCi: false }))(TEAM, () => {
  let pgDir: ReturnType<typeof tempDir>;
  let pg: EmbeddedPg;
  let hub: TestHub;
  let chrome: Browser;
  let ana: Desktop;
  let ben: Desktop;
  let customer: string;

  async function desktop(email: string, password: string): Promise<Desktop> {
    const tmp = tempDir('agent-inbox-team-e2e-');
    const core = await createCore({ dataDir: tmp.dir, rendererDir: RENDERER_DIR, log: () => undefined });
    const client = { url: core.url, token: core.token };
    const signIn = await api(client, 'PUT', '/api/v1/team', { hubUrl: hub.url, email, password });
    if (signIn.status !== 200)
      throw new Error(`sign-in answered ${signIn.status}: ${JSON.stringify(signIn.body)}`);
    await waitFor(
      `${email}'s desktop lists the team's conversation`,
      async () => {
        const list = await api<{ items: Conversation[] }>(client, 'GET', '/api/v1/conversations');
        return list.body.items.some((c) => c.contact.handle === customer);
      },
      30_000,
    );
    const context = await chrome.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${core.url}/#token=${core.token}`);
    await page.getByRole('listbox', { name: 'Conversations' }).waitFor();
    return { core, client, page, cleanup: tmp.cleanup };
  }

  const openId = async (p: Page) =>
    (await p.locator('.conv-row.is-open').getAttribute('id'))!.replace('conversation-', '');

  const openCustomer = async (p: Page) => {
    await p
      .getByRole('listbox', { name: 'Conversations' })
      .getByRole('option', { name: new RegExp(customer) })
      .click();
    await p.getByRole('group', { name: 'Assignment' }).waitFor();
  };

  beforeAll(async () => {
    pgDir = tempDir('agent-inbox-team-pg-');
    // As root, PostgreSQL runs as 'postgres', which must pass through the (0700) temporary folder.
    fs.chmodSync(pgDir.dir, 0o711);
    pg = await startEmbeddedPostgres({ dir: path.join(pgDir.dir, 'pg') });
    hub = await startTestHub(pg.databaseUrl);
    const team = await setUpTeam(hub, ['Ben']);
    customer = 'carla_team';
    await seedConversation(hub.db, team.teamId, { messages: 2, handle: customer });
    chrome = await chromium.launch({ ...(browser as { executablePath?: string }), args: CHROMIUM_ARGS });
    ana = await desktop('ana@acme.test', 'correct horse 1');
    ben = await desktop('ben@acme.test', 'battery staple 2');
  }, 180_000);

  afterAll(async () => {
    await chrome?.close().catch(() => undefined);
    for (const x of [ana, ben]) {
      await x?.core.close();
      x?.cleanup();
    }
    await hub?.close();
    await pg?.stop();
    pgDir?.cleanup();
  });

  it('a claim race: one wins, the other is told who took it, and both show the owner', async () => {
    await openCustomer(ana.page);
    await openCustomer(ben.page);
    const claim = (p: Page) =>
      p.getByRole('group', { name: 'Assignment' }).getByRole('button', { name: 'Claim' });
    await Promise.all([claim(ana.page).click(), claim(ben.page).click()]);

    const told = async (p: Page) =>
      (await p
        .getByRole('alert')
        .filter({ hasText: /took this conversation/ })
        .count()) > 0;
    await expect
      .poll(async () => (await told(ana.page)) || (await told(ben.page)), { timeout: 15_000 })
      .toBe(true);
    const benLost = await told(ben.page);
    const [winner, loser] = benLost ? ['Ana', ben.page] : ['Ben', ana.page];
    await loser
      .getByRole('alert')
      .filter({ hasText: `${winner} took this conversation` })
      .waitFor();
    for (const p of [ana.page, ben.page]) {
      const expected = p === loser ? `Assigned to ${winner}` : 'Assigned to you';
      await p.locator('.assignee-current').filter({ hasText: expected }).waitFor({ timeout: 15_000 });
    }
  });

  it('a note from Ana shows as an internal note on Ben’s desktop, never as a message', async () => {
    await ana.page.getByRole('radiogroup', { name: 'Write a' }).getByText('Note').click();
    const box = ana.page.getByRole('textbox', { name: 'Internal note for your team' });
    await box.fill('Refund approved — @Be');
    await ana.page
      .getByRole('listbox', { name: 'Mention an agent' })
      .getByRole('option', { name: /Ben/ })
      .waitFor();
    await box.press('Enter');
    await box.pressSequentially('please reply.');
    await box.press('Enter');

    const note = ben.page.getByRole('article', { name: 'Internal note by Ana' });
    await note.waitFor({ timeout: 20_000 });
    expect(await note.textContent()).toContain('Refund approved — @Ben please reply.');
    expect(await note.textContent()).toContain('Internal note');
    const asMessage = ben.page
      .getByRole('log', { name: 'Messages' })
      .locator('.msg')
      .filter({ hasText: 'Refund approved' });
    expect(await asMessage.count()).toBe(0);
  });

  it('Ana typing shows on Ben’s desktop', async () => {
    await ana.page.getByRole('radiogroup', { name: 'Write a' }).getByText('Reply').click();
    await ana.page.getByRole('textbox', { name: /^Reply to / }).pressSequentially('Hello Carla');
    await ben.page.getByRole('status').filter({ hasText: 'Ana is typing…' }).waitFor({ timeout: 15_000 });
    await ben.page
      .getByRole('img', { name: /Ana is (typing|viewing)/ })
      .first()
      .waitFor();
  });

  it('asks "Ben replied … send anyway?" when Ben replied after Ana began her reply', async () => {
    // Ana's draft began in the test before ("Hello Carla").
    const benBox = ben.page.getByRole('textbox', { name: /^Reply to / });
    await benBox.fill('Hi Carla, Ben here: your refund is on its way.');
    await benBox.press('Enter');
    const log = ana.page.getByRole('log', { name: 'Messages' });
    await log.getByText('Ben here: your refund').waitFor({ timeout: 20_000 });

    await ana.page.getByRole('textbox', { name: /^Reply to / }).press('Enter');
    const ask = ana.page.getByRole('dialog', { name: /^Ben replied \d+ (s|min) ago: send anyway\?$/ });
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(await ana.page.getByRole('textbox', { name: /^Reply to / }).inputValue()).toBe('Hello Carla');

    await ana.page.getByRole('textbox', { name: /^Reply to / }).press('Enter');
    await ana.page.getByRole('dialog').getByRole('button', { name: 'Send anyway' }).click();
    await log.locator('.msg-out').filter({ hasText: 'Hello Carla' }).waitFor();
    // Once, not as a placeholder beside the stored reply (both in the thread and in the core).
    await expect.poll(() => log.locator('.msg-out').filter({ hasText: 'Hello Carla' }).count()).toBe(1);
    const id = await openId(ana.page);
    const storedCopies = async () =>
      (
        await api<{ items: { text: string }[] }>(ana.client, 'GET', `/api/v1/conversations/${id}/messages`)
      ).body.items.filter((m) => m.text.startsWith('Hello Carla')).length;
    await expect.poll(storedCopies, { timeout: 10_000 }).toBe(1);
    await ana.page.screenshot({ path: 'test-results/screenshots/team-ana.png' });
    // Once Ben has seen Ana's reply, his own never asks him about anyone.
    await ben.page
      .getByRole('log', { name: 'Messages' })
      .getByText('Hello Carla', { exact: true })
      .waitFor({ timeout: 20_000 });
    await benBox.fill('One more thing from Ben.');
    await benBox.press('Enter');
    await ben.page.getByRole('log', { name: 'Messages' }).getByText('One more thing from Ben.').waitFor();
    expect(await ben.page.getByRole('dialog').count()).toBe(0);
  });

  it('team controls have no serious or critical axe violation', async () => {
    const found = await seriousViolations(ana.page, 'conversation with a note');
    await ana.page.getByRole('radiogroup', { name: 'Write a' }).getByText('Note').click();
    await ana.page.getByRole('textbox', { name: 'Internal note for your team' }).fill('Ask @B');
    await ana.page.getByRole('listbox', { name: 'Mention an agent' }).waitFor();
    found.push(...(await seriousViolations(ana.page, 'note mode with mentions')));
    await ana.page.getByRole('textbox', { name: 'Internal note for your team' }).fill('');
    await ana.page.getByRole('radiogroup', { name: 'Write a' }).getByText('Reply').click();
    await ana.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings', exact: true })
      .click();
    await ana.page.getByRole('region', { name: 'Team' }).getByText('Signed in as').waitFor();
    found.push(...(await seriousViolations(ana.page, 'Settings → Team')));
    await ana.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Inbox', exact: true })
      .click();
    expect(found).toEqual([]);
  });

  it('admin screens: Ana lists, invites and deactivates agents and manages channels; Ben sees neither', async () => {
    const go = (p: Page, name: string) =>
      p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await go(ana.page, 'Settings');
    const agents = ana.page.getByRole('list', { name: "The team's agents" });
    await agents.getByRole('listitem', { name: 'Ben' }).waitFor();
    const invite = ana.page.getByRole('form', { name: 'Invite an agent' });
    await invite.getByLabel('Email').fill('dora@acme.test');
    await invite.getByLabel('Name').fill('Dora');
    await invite.getByRole('button', { name: 'Invite' }).click();
    const password = await ana.page.getByTestId('one-time-password').textContent();
    expect(password?.length).toBeGreaterThanOrEqual(10);
    const dora = agents.getByRole('listitem', { name: 'Dora' });
    await dora.waitFor();
    // Before deactivating: its notice fades in, and axe would judge it mid-fade.
    const found = await seriousViolations(ana.page, 'Settings → Team, agents and a one-time password');
    await dora.getByRole('button', { name: 'Deactivate' }).click();
    await dora.getByRole('button', { name: 'Reactivate' }).waitFor();
    await go(ana.page, 'Channels');
    await ana.page.getByRole('button', { name: 'Add channel' }).waitFor();
    await ana.page.getByRole('listitem').getByRole('button', { name: 'Edit' }).first().waitFor();

    await go(ben.page, 'Settings');
    await ben.page.getByRole('region', { name: 'Team' }).getByText('Signed in as').waitFor();
    expect(await ben.page.getByRole('list', { name: "The team's agents" }).count()).toBe(0);
    await go(ben.page, 'Channels');
    await ben.page.getByText("The team's chat platform accounts").waitFor();
    expect(await ben.page.getByRole('button', { name: /^(Add channel|Edit|Remove|Pause)$/ }).count()).toBe(0);
    for (const p of [ana.page, ben.page]) await go(p, 'Inbox');
    expect(found).toEqual([]);
  });

  it('Mine and Unassigned filter the inbox; Settings → Team shows the status; signing out brings solo mode back', async () => {
    const assignee = await ana.page.locator('.assignee-current').textContent();
    const [owner, other] = assignee?.includes('you') ? [ana.page, ben.page] : [ben.page, ana.page];
    const row = (p: Page) =>
      p.getByRole('listbox', { name: 'Conversations' }).getByRole('option', { name: new RegExp(customer) });
    const views = (p: Page) => p.getByRole('group', { name: 'Assignee' });
    await views(owner).getByRole('button', { name: 'Mine' }).click();
    await row(owner).waitFor();
    await views(other).getByRole('button', { name: 'Mine' }).click();
    await row(other).waitFor({ state: 'detached' });
    await views(other).getByRole('button', { name: 'Unassigned' }).click();
    await row(other).waitFor({ state: 'detached' });
    await views(other).getByRole('button', { name: 'All' }).click();
    await row(other).waitFor();

    await ben.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings', exact: true })
      .click();
    const team = ben.page.getByRole('region', { name: 'Team' });
    await team.getByText('Online').waitFor({ timeout: 15_000 });
    await team.getByText('Ben (ben@acme.test, agent)').waitFor();
    await team.getByRole('button', { name: 'Sign out…' }).click();
    const confirm = ben.page.getByRole('dialog', { name: 'Sign out of the team?' });
    await confirm.getByRole('radio', { name: /Delete the team's channels/ }).waitFor();
    await confirm.getByRole('button', { name: 'Sign out and delete the data' }).click();
    await team.getByRole('button', { name: 'Sign in to the team' }).waitFor();
    expect((await api(ben.client, 'GET', '/api/v1/team')).body).toBeNull();
  });

  it('a reply typed with a trailing space is stored once (the hub’s copy is the desktop’s own reply)', async () => {
    // Ben signed out in the test before: Ana replies to the conversation still open on her desktop.
    const box = ana.page.getByRole('textbox', { name: /^Reply to / });
    await box.fill('Thanks, Carla! ');
    await box.press('Enter');
    const id = await openId(ana.page);
    const copies = async () =>
      (
        await api<{ items: { text: string }[] }>(ana.client, 'GET', `/api/v1/conversations/${id}/messages`)
      ).body.items.filter((m) => m.text.startsWith('Thanks, Carla!')).length;
    await expect.poll(copies, { timeout: 10_000 }).toBeGreaterThan(0);
    // Long enough for the hub's copy to come back through the feed.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await copies()).toBe(1);
  });
});
