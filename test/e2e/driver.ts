// Drives the real renderer in Chromium against a real core and the five provider simulators, all on
// loopback in this process. Everything waits for named readiness (API state, DOM state), never a sleep.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createCore, type Core } from '../../main/core';
import type { BroadcastPreview, Channel, ProviderId } from '../../main/contract/schemas';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { TAGS } from '../../main/providers/simkit/world';
import { addAllChannels, api, waitFor, type ApiClient } from '../helpers/api';
import { tempDir } from '../helpers/tmp';
import { CHROMIUM_ARGS } from '../helpers/chromium';

// E2E_OUT_DIR: a build made with `electron-vite build --outDir DIR`, so two checkouts' builds never mix.
const RENDERER_DIR = path.resolve(process.env.E2E_OUT_DIR ?? 'out', 'renderer');
const SCREENSHOT_DIR = path.resolve('test-results/screenshots');
type Credentials = { apiKey?: string; username?: string; password?: string; token?: string };

export class UiDriver {
  private constructor(
    readonly core: Core,
    readonly sims: Simulators,
    readonly client: ApiClient,
    /** Channel id per provider, as added through the API. */
    readonly channels: Record<ProviderId, string>,
    private readonly browser: Browser,
    readonly page: Page,
    private readonly cleanup: () => void,
  ) {}

  static async start(browser: { executablePath?: string }): Promise<UiDriver> {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      throw new Error(`${RENDERER_DIR} is not built: run \`npm run build\` before the e2e tests`);
    }
    const tmp = tempDir('agent-inbox-e2e-');
    const sims = await startSimulators({ seed: 11 });
    const core = await createCore({ dataDir: tmp.dir, rendererDir: RENDERER_DIR, log: () => undefined });
    const client = { url: core.url, token: core.token };
    const channels = (await addAllChannels(client, sims.providers())) as Record<ProviderId, string>;
    await waitFor(
      'every channel synced once',
      async () => {
        const list = (await api<{ items: Channel[] }>(client, 'GET', '/api/v1/channels')).body.items;
        return list.every((c) => (c.status === 'live' || c.status === 'polling') && c.lastSyncAt !== null);
      },
      45_000,
    );
    const chromiumBrowser = await chromium.launch({ ...browser, args: CHROMIUM_ARGS });
    const page = await chromiumBrowser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${core.url}/#token=${core.token}`);
    await page.getByRole('listbox', { name: 'Conversations' }).waitFor();
    return new UiDriver(core, sims, client, channels, chromiumBrowser, page, tmp.cleanup);
  }

  /** A customer writes in through the provider's simulator. */
  customerWrites(provider: ProviderId, text: string, contact?: { name: string; handle: string }) {
    return this.sims.kits[provider].sim.inbound({ text, contact });
  }

  /** Texts the provider received from agents (the simulator's sent log, duplicates included). */
  sentTexts(provider: ProviderId): string[] {
    return this.sims.kits[provider].sent.map((e) => e.text);
  }

  /** Who the provider delivered this exact text to, once per delivery. */
  recipientsOf(provider: ProviderId, text: string): string[] {
    return this.sims.kits[provider].sent.filter((e) => e.text === text).map((e) => e.to);
  }

  get<T>(apiPath: string): Promise<T> {
    return api<T>(this.client, 'GET', apiPath).then((r) => r.body);
  }

  async open(view: 'Inbox' | 'Broadcasts' | 'Flows' | 'Channels' | 'Settings'): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: view, exact: true })
      .click();
  }

  async screenshot(name: string): Promise<void> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
  }

  /** Whether a flow is switched on, asked of the provider itself through its documented API. */
  async remoteFlowActive(provider: ProviderId, name: string): Promise<boolean> {
    const p = this.sims.providers().find((x) => x.provider === provider)!;
    const creds = p.credentials as Credentials;
    const call = async (
      method: string,
      url: string,
      headers: Record<string, string> = {},
      body?: unknown,
    ) => {
      const res = await fetch(p.baseUrl + url, {
        method,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${provider} ${method} ${url}: ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };
    if (provider === 'instantchat') {
      const login = await call(
        'POST',
        '/api/auth/login',
        {},
        { username: creds.username, password: creds.password },
      );
      const flows = await call('GET', '/api/flow/user', { authorization: `Bearer ${String(login.token)}` });
      const flow = (flows.flows as { name: string; isActive: boolean }[]).find((f) => f.name === name);
      if (!flow) throw new Error(`instantchat has no flow named ${name}`);
      return flow.isActive;
    }
    if (provider === 'chatbots-platform') {
      const headers: Record<string, string> = creds.apiKey
        ? { 'x-api-key': creds.apiKey }
        : {
            authorization: `Bearer ${String(((await call('POST', '/auth/login', {}, creds)).data as { accessToken: string }).accessToken)}`,
          };
      const page = (await call('GET', '/chatbots?pageSize=100', headers)).data as {
        items: { name: string; status: string }[];
      };
      const bot = page.items.find((b) => b.name === name);
      if (!bot) throw new Error(`chatbots-platform has no chatbot named ${name}`);
      return bot.status === 'active';
    }
    throw new Error(`${provider} flows cannot be switched, so there is nothing to check`);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.core.close();
    await this.sims.close();
    this.cleanup();
  }
}

/** The tag with the fewest (but some) recipients, so the broadcast finishes quickly under rate limits. */
export async function smallestAudienceTag(d: UiDriver): Promise<{ tag: string; total: number }> {
  let best: { tag: string; total: number } | null = null;
  for (const tag of TAGS) {
    const r = await api<BroadcastPreview>(d.client, 'POST', '/api/v1/broadcasts/preview', {
      audience: { tags: [tag] },
    });
    if (r.body.total > 0 && (!best || r.body.total < best.total)) best = { tag, total: r.body.total };
  }
  if (!best) throw new Error('no tag has any recipients in the simulated workspace');
  return best;
}
