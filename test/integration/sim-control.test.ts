// The simulators' control API (/_sim) follows the local API's Host and Origin rules: a web page cannot inject
// customer messages, and a DNS-rebound name cannot read the demo credentials. curl and tests (no Origin) can.
// The provider APIs mimic real services and are left as they are.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type Simulators } from '../../main/providers/simulators';

let sims: Simulators;
let port: number;

beforeAll(async () => {
  sims = await startSimulators({ seed: 5 });
  port = Number(new URL(sims.controlUrl).port);
});

afterAll(async () => {
  await sims?.close();
});

/** node:http, so that Host can be set as a browser on a rebound name would send it. */
function request(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('the simulators control API', () => {
  it('refuses a cross-origin POST (a web page injecting a customer message)', async () => {
    const text = `from a web page ${Date.now()}`;
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${port + 1}`]) {
      const r = await request(`${sims.controlUrl}/_sim/chatapi/inbound`, {
        method: 'POST',
        headers: { origin, 'content-type': 'text/plain' },
        body: JSON.stringify({ text }),
      });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'forbidden_origin' });
    }
  });

  it('refuses a foreign Host (DNS rebinding) and so never shows the credentials', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      const r = await request(`${sims.controlUrl}/_sim/providers`, { headers: { host } });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'forbidden_host' });
      expect(r.body).not.toContain('apiKey');
    }
  });

  it('answers requests without Origin, or from its own origin, on any loopback name', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const r = await request(`${sims.controlUrl}/_sim/providers`, { headers: { host } });
      expect(r.status).toBe(200);
    }
    const own = await request(`${sims.controlUrl}/_sim/chatapi/inbound`, {
      method: 'POST',
      headers: { origin: `http://localhost:${port}`, host: `localhost:${port}` },
      body: JSON.stringify({ text: 'from the control page itself' }),
    });
    expect(own.status).toBe(201);
    expect((await fetch(`${sims.controlUrl}/_sim/providers`)).status).toBe(200);
  });

  it('leaves the provider APIs alone: they mimic real services', async () => {
    const key = (sims.providers().find((p) => p.provider === 'chatapi')!.credentials as { apiKey: string })
      .apiKey;
    const r = await request(`${sims.kits.chatapi.baseUrl}/clients/me`, {
      headers: { authorization: `Bearer ${key}`, origin: 'http://evil.example', host: 'evil.example' },
    });
    expect(r.status).toBe(200);
  });
});
