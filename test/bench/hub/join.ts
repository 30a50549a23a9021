// A desktop joining the team: a fresh core (web mode, its own SQLite cache) signs in to the hub; the time until
// its inbox answers a first page, and until it has the whole snapshot and follows the feed.
import { createCore, type Core } from '../../../main/core';
import { sleep } from '../stats';

export type LocalApi = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** A client of a desktop core's local API that throws on an error answer. */
export function localApi(core: Core): LocalApi {
  return async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(core.url + p, {
      method,
      headers: {
        authorization: `Bearer ${core.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(`${method} ${p} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  };
}

export async function joinTeam(o: {
  hubUrl: string;
  email: string;
  password: string;
  dataDir: string;
}): Promise<{ sign_in_s: number; first_page_s: number; full_s: number; conversations: number }> {
  const core = await createCore({ dataDir: o.dataDir, log: () => undefined });
  const call = localApi(core);
  try {
    const t0 = performance.now();
    await call('PUT', '/api/v1/team', { hubUrl: o.hubUrl, email: o.email, password: o.password });
    const signedIn = performance.now() - t0;
    let firstPage = NaN;
    for (;;) {
      const page = await call<{ items: unknown[] }>('GET', '/api/v1/conversations?limit=50');
      if (page.items.length) {
        firstPage = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > 120_000) throw new Error('no inbox page within 120 s of joining');
      await sleep(20);
    }
    let full = NaN;
    let conversations = 0;
    for (;;) {
      const team = await call<{ status: string; snapshot?: { done: boolean; conversations: number } }>(
        'GET',
        '/api/v1/team',
      );
      if (team.snapshot?.done) {
        full = performance.now() - t0;
        conversations = team.snapshot.conversations;
        break;
      }
      if (performance.now() - t0 > 600_000) throw new Error('the snapshot did not finish within 600 s');
      await sleep(100);
    }
    return {
      sign_in_s: Math.round(signedIn) / 1000,
      first_page_s: Math.round(firstPage) / 1000,
      full_s: Math.round(full) / 1000,
      conversations,
    };
  } finally {
    await core.close();
  }
}
