// What the agent reads when a provider refuses or fails: one sentence naming the provider and the reason in
// words, from the errors each simulator really answers (through its real connector), never a request line, a
// status code or a socket error. And the platforms' length limits the composer and the API check up front.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_NAMES, PROVIDERS, type ProviderId } from '../../main/domain/entities';
import { platformLimit, replyTooLong } from '../../main/domain/textLimits';
import { ProviderError } from '../../main/providers/http';
import { agentSentence, reasonInWords } from '../../main/providers/refusals';
import { connectorFactories } from '../../main/providers/registry';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import type { ProviderConnector } from '../../main/providers/types';
import { caught } from '../helpers/provider-error';

/** What the acceptance check (ux, step 2) rejects as a raw transport error. */
const RAW = /\b(GET|POST|PUT|PATCH|DELETE) \/|ECONN|\b(HTTP|status)\s*[45]\d\d\b|:\s*[45]\d\d\b/;

/** The length each simulator refuses (its README), and the sentence that says so. */
const REFUSED_LENGTH: Record<ProviderId, number> = {
  chatpion: 2000,
  'chatbots-platform': 4096,
  instantchat: 1000,
  assistify: 4096,
  chatapi: 10_000,
};

let sims: Simulators;
const open: ProviderConnector[] = [];

function connect(p: ProviderId, o: { baseUrl?: string; credentials?: unknown } = {}): ProviderConnector {
  const sim = sims.providers().find((x) => x.provider === p)!;
  const c = connectorFactories[p]({
    baseUrl: o.baseUrl ?? sim.baseUrl,
    credentials: (o.credentials ?? sim.credentials) as never,
    webhookUrl: null,
    webhookSecret: 'refusals-test-secret',
  });
  open.push(c);
  return c;
}

beforeAll(async () => {
  sims = await startSimulators({ seed: 21 });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  await sims?.close();
});

describe('a provider refusing an over-long reply', () => {
  it.each(PROVIDERS)('%s: "<Provider> refused this reply: it is longer than N characters"', async (p) => {
    const c = connect(p);
    await c.authenticate();
    const conv = (await c.backfill(null)).conversations[0];
    const ref = {
      externalId: conv.externalId,
      contactExternalId: conv.contact.externalId,
      meta: conv.meta ?? {},
    };
    const err = await caught(c.send(ref, 'x'.repeat(REFUSED_LENGTH[p] + 1), `too-long-${p}`));
    const said = agentSentence(p, err, 'reply');
    expect(said).toBe(
      `${PROVIDER_NAMES[p]} refused this reply: it is longer than ${REFUSED_LENGTH[p].toLocaleString('en-US')} characters`,
    );
    expect(said).not.toMatch(RAW);
  });
});

describe('a provider that cannot be reached, is down or refuses the credentials', () => {
  it.each(PROVIDERS)('%s', async (p) => {
    const nowhere = await caught(connect(p, { baseUrl: 'http://127.0.0.1:9/' }).authenticate());
    expect(nowhere.message, 'the log keeps the detail').toMatch(/ECONNREFUSED/);
    expect(agentSentence(p, nowhere, 'sync')).toBe(`${PROVIDER_NAMES[p]} could not be reached`);

    sims.kits[p].setFaults({ down: true });
    try {
      const down = await caught(connect(p).authenticate());
      expect(down.message, 'the log keeps the detail').toMatch(/503/);
      expect(agentSentence(p, down, 'reply')).toBe(`${PROVIDER_NAMES[p]} is unavailable for now`);
    } finally {
      sims.kits[p].setFaults({ down: false });
    }

    const real = sims.providers().find((x) => x.provider === p)!.credentials as Record<string, string>;
    const wrong = Object.fromEntries(Object.entries(real).map(([k, v]) => [k, `${v}-wrong`]));
    const refused = await caught(connect(p, { credentials: wrong }).authenticate());
    const said = agentSentence(p, refused, 'credentials');
    expect(said).toMatch(new RegExp(`^${PROVIDER_NAMES[p]} did not accept the channel's credentials`));
    for (const s of [agentSentence(p, nowhere, 'sync'), said]) expect(s).not.toMatch(RAW);
  });
});

describe('the sentence for each kind of failure', () => {
  const said = (e: ProviderError, action: Parameters<typeof agentSentence>[2] = 'reply') =>
    agentSentence('chatpion', e, action);

  it('words what no simulator can be made to answer', () => {
    expect(said(new ProviderError('timeout', 'POST /api/messages: no answer within 15 s'))).toBe(
      'ChatPion did not answer in time',
    );
    expect(said(new ProviderError('server', 'POST /api/messages: 500 oops', 500, undefined, 'oops'))).toBe(
      'ChatPion had a problem on its side',
    );
    expect(said(new ProviderError('rate_limit', 'rate limited by the provider (retry in 60 s)', 429))).toBe(
      'ChatPion asked the app to slow down',
    );
    expect(said(new ProviderError('rate_limit', 'rate limited (retry in 300 s)', 429, 300_000))).toBe(
      'ChatPion asked the app to wait 5 minutes before sending more',
    );
    expect(
      said(new ProviderError('malformed', 'GET /api/subscribers: the provider sent malformed JSON')),
    ).toBe('ChatPion sent an answer the app could not read');
    expect(said(new ProviderError('not_found', 'the conversation no longer exists'))).toBe(
      'ChatPion no longer knows this conversation',
    );
    expect(
      said(
        new ProviderError('unconfirmed', "ChatPion's POST /api/broadcasts accepted it but …"),
        'broadcast',
      ),
    ).toBe('ChatPion took this broadcast but did not confirm it');
    expect(
      said(new ProviderError('client', 'GET /x: the provider redirects to https://e.example/', 301)),
    ).toBe("ChatPion answers from another address: check the channel's base URL");
  });

  it("keeps the app's own sentences and the provider's words, without codes", () => {
    expect(said(new ProviderError('auth', 'ChatPion needs an API key (Admin > API Settings)'))).toBe(
      'ChatPion needs an API key (Admin > API Settings)',
    );
    expect(
      said(
        new ProviderError(
          'client',
          'POST /c/1/close/: 400 Already closed.',
          400,
          undefined,
          'Already closed.',
        ),
        'status',
      ),
    ).toBe('ChatPion refused the status change: already closed');
    expect(said(new ProviderError('client', 'POST /api/messages: 400 HTTP 400', 400))).toBe(
      'ChatPion refused this reply',
    );
    expect(reasonInWords('Validation failed (VALIDATION_ERROR)')).toBe('validation failed');
    expect(reasonInWords('Ensure this field has no more than 4096 characters.')).toBe(
      'it is longer than 4,096 characters',
    );
    expect(reasonInWords('Instagram account is not connected')).toBe('Instagram account is not connected');
    expect(reasonInWords('upstream said POST /v2/send: 502')).toBeNull();
  });
});

describe("the platforms' limits, known before sending", () => {
  it('Messenger 2,000, Instagram 1,000, WhatsApp 4,096; none invented for an unknown platform', () => {
    expect(platformLimit('facebook')?.maxLength).toBe(2000);
    expect(platformLimit('Instagram')?.maxLength).toBe(1000);
    expect(platformLimit('whatsapp')?.maxLength).toBe(4096);
    expect(platformLimit('web')).toBeNull();
    expect(platformLimit(undefined)).toBeNull();
  });

  it('says what is too long, in a sentence', () => {
    const to = (platform?: string) => ({ provider: 'chatpion' as const, contact: { platform } });
    expect(replyTooLong(to('facebook'), 2500)).toBe(
      'ChatPion accepts at most 2,000 characters for Messenger: this reply has 2,500',
    );
    expect(replyTooLong(to('facebook'), 2000)).toBeNull();
    expect(replyTooLong(to(), 50_000)).toBeNull();
  });
});
