// A tiny client of the local API for tests, and waiting on conditions instead of sleeping.
export interface ApiClient {
  url: string;
  token: string;
}

export async function api<T = unknown>(
  c: ApiClient,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(c.url + path, {
    method,
    headers: {
      authorization: `Bearer ${c.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 15_000,
  stepMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface Conv {
  id: string;
  channelId: string;
  lastMessage: { text: string } | null;
}

export async function conversationWith(
  c: ApiClient,
  text: string,
  channelId?: string,
): Promise<Conv | undefined> {
  const q = `/api/v1/conversations?limit=200${channelId ? `&channel=${channelId}` : ''}`;
  const r = await api<{ items: Conv[] }>(c, 'GET', q);
  return r.body.items.find((x) => x.lastMessage?.text === text);
}

export async function messagesOf(
  c: ApiClient,
  conversationId: string,
): Promise<{ id: string; text: string; status: string; direction: string }[]> {
  return (
    await api<{ items: { id: string; text: string; status: string; direction: string }[] }>(
      c,
      'GET',
      `/api/v1/conversations/${conversationId}/messages?limit=200`,
    )
  ).body.items;
}

/** One channel per simulated provider, added through the API. */
export async function addAllChannels(
  c: ApiClient,
  providers: { provider: string; baseUrl: string; credentials: unknown }[],
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const p of providers) {
    const r = await api<{ id: string }>(c, 'POST', '/api/v1/channels', {
      provider: p.provider,
      name: `${p.provider} test`,
      baseUrl: p.baseUrl,
      credentials: p.credentials,
    });
    if (r.status !== 201) throw new Error(`adding ${p.provider}: ${r.status} ${JSON.stringify(r.body)}`);
    ids[p.provider] = r.body.id;
  }
  return ids;
}
