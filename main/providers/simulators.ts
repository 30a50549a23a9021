// All five simulators plus the control API under /_sim (see DESIGN.md, "Provider simulators").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ProviderId, PROVIDERS } from '../domain/entities';
import { loopbackRefusal } from '../api/loopback';
import { SimKit, type Faults, type ProviderSim } from './simkit';
import * as chatpion from './chatpion/simulator';
import * as chatbots from './chatbots-platform/simulator';
import * as instantchat from './instantchat/simulator';
import * as assistify from './assistify/simulator';
import * as chatapi from './chatapi/simulator';
import { rng, pick, customer, customerLine } from './simkit/world';

export interface SimOptions {
  seed: number;
  /** Size of the seeded world (benchmarks); each simulator keeps a small default. */
  conversations?: number;
  messagesPerConversation?: number;
  /** Benchmarks: no server-side rate limits. */
  unlimited?: boolean;
  /**
   * Answer only with what the provider's document shows, and where it is silent take the least helpful
   * plausible reading (DESIGN.md, "Strict mode"), so a connector that leans on an invented field fails here.
   */
  strict?: boolean;
}

export const simulatorFactories: Record<ProviderId, (o: SimOptions) => ProviderSim> = {
  chatpion: chatpion.createSimulator,
  'chatbots-platform': chatbots.createSimulator,
  instantchat: instantchat.createSimulator,
  assistify: assistify.createSimulator,
  chatapi: chatapi.createSimulator,
};

export interface Simulators {
  controlUrl: string;
  /** Strict mode: each simulator answers only what its document shows (DESIGN.md, "Strict mode"). */
  strict: boolean;
  kits: Record<ProviderId, SimKit>;
  providers(): { provider: ProviderId; baseUrl: string; credentials: unknown }[];
  /** Customers write in at `perSecond` across all providers (0 stops). */
  traffic(perSecond: number): void;
  close(): Promise<void>;
}

const FAULT_KEYS: (keyof Faults)[] = [
  'down',
  'latencyMs',
  'errorRate',
  'rateLimit',
  'malformed',
  'tokenTtlSec',
];

function parseFaults(body: unknown): Partial<Faults> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'expireTokens') continue;
    if (!FAULT_KEYS.includes(k as keyof Faults)) return `unknown fault '${k}'`;
    const okType =
      k === 'down'
        ? typeof v === 'boolean'
        : k === 'rateLimit'
          ? typeof v === 'boolean' || (typeof v === 'number' && v >= 0)
          : typeof v === 'number' && v >= 0;
    if (!okType) return `bad value for '${k}'`;
    out[k] = v;
  }
  return out as Partial<Faults>;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  return JSON.parse(raw);
}

export async function startSimulators(
  opts: { port?: number; seed?: number; strict?: boolean } = {},
): Promise<Simulators> {
  const seed = opts.seed ?? 42;
  const strict = opts.strict ?? false;
  const kits = {} as Record<ProviderId, SimKit>;
  for (const p of PROVIDERS) {
    kits[p] = new SimKit(simulatorFactories[p]({ seed, strict }));
    await kits[p].listen();
  }
  const providers = () =>
    PROVIDERS.map((p) => ({ provider: p, baseUrl: kits[p].baseUrl, credentials: kits[p].sim.credentials() }));

  let trafficTimer: NodeJS.Timeout | null = null;
  const r = rng(seed + 7);
  let n = 0;
  const traffic = (perSecond: number) => {
    if (trafficTimer) clearInterval(trafficTimer);
    trafficTimer = null;
    if (perSecond <= 0) return;
    trafficTimer = setInterval(() => {
      const p = pick(r, PROVIDERS);
      if (kits[p].faults.down) return;
      const known = r() < 0.7;
      const c = customer(r, known ? Math.floor(r() * 5) : 1000 + n++);
      kits[p].sim.inbound({ contact: { name: c.name, handle: c.handle }, text: customerLine(r, !known) });
    }, 1000 / perSecond);
    trafficTimer.unref();
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  // Only the control API follows the local API's Host and Origin rules: the provider APIs mimic real services.
  const control = http.createServer(async (req, res) => {
    const refused = loopbackRefusal(req.headers, (control.address() as AddressInfo).port);
    if (refused) return send(res, 403, { error: refused.message, code: refused.code });
    const url = new URL(req.url ?? '/', 'http://sim');
    const parts = url.pathname.split('/').filter(Boolean);
    try {
      if (parts[0] !== '_sim') return send(res, 404, { error: 'not found' });
      if (req.method === 'GET' && parts[1] === 'providers' && parts.length === 2)
        return send(res, 200, { strict, items: providers() });
      if (req.method === 'POST' && parts[1] === 'reset' && parts.length === 2) {
        for (const k of Object.values(kits)) k.reset();
        return send(res, 200, { ok: true });
      }
      if (req.method === 'POST' && parts[1] === 'traffic' && parts.length === 2) {
        const b = (await readJson(req)) as { perSecond?: unknown };
        if (typeof b.perSecond !== 'number' || b.perSecond < 0 || b.perSecond > 1000)
          return send(res, 400, { error: 'perSecond must be 0..1000' });
        traffic(b.perSecond);
        return send(res, 200, { perSecond: b.perSecond });
      }
      const kit = kits[parts[1] as ProviderId];
      if (!kit || parts.length !== 3)
        return send(res, 404, { error: `unknown provider or route: ${url.pathname}` });
      if (req.method === 'POST' && parts[2] === 'inbound') {
        const b = (await readJson(req)) as { text?: unknown; contact?: unknown };
        if (typeof b.text !== 'string' || !b.text.trim())
          return send(res, 400, { error: 'text is required' });
        const contact =
          typeof b.contact === 'object' && b.contact
            ? (b.contact as { name?: string; handle?: string })
            : undefined;
        if (kit.faults.down) return send(res, 503, { error: `${kit.sim.provider} is down` });
        return send(res, 201, kit.sim.inbound({ text: b.text, contact }));
      }
      if (req.method === 'GET' && parts[2] === 'sent') return send(res, 200, { items: kit.sent });
      if (req.method === 'POST' && parts[2] === 'faults') {
        const b = await readJson(req);
        const f = parseFaults(b);
        if (typeof f === 'string') return send(res, 400, { error: f });
        if ((b as { expireTokens?: unknown }).expireTokens === true) kit.sim.expireTokens?.();
        return send(res, 200, kit.setFaults(f));
      }
      return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (e) {
      return send(res, 400, { error: `bad request: ${(e as Error).message}` });
    }
  });
  await new Promise<void>((resolve) => control.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;

  return {
    controlUrl,
    strict,
    kits,
    providers,
    traffic,
    async close() {
      traffic(0);
      control.closeAllConnections();
      await new Promise<void>((r) => control.close(() => r()));
      await Promise.all(Object.values(kits).map((k) => k.close()));
    },
  };
}
