// Talking to a team hub over HTTP: each call of the hub's contract (main/contract/hub.ts), its answer checked
// against the contract's schema. What went wrong is told apart the way the desktop acts on it: the hub cannot be
// reached (wait and retry), refused the session (signed out), or answered with an error envelope.
import { z } from 'zod';
import { hubRoutes, type AgentCreate, type AgentPatch, type OpResult } from '../contract/hub';
import type { ChannelCreate, ChannelPatch } from '../contract/schemas';

/** How long one call to the hub may take before the desktop counts it unreachable. */
const CALL_TIMEOUT_MS = 10_000;
/** Adding or changing a channel: the hub connects to the provider before it answers. */
const CHANNEL_CALL_TIMEOUT_MS = 30_000;

export class HubError extends Error {
  constructor(
    /** 0: no answer (the hub is down, or the network); otherwise the HTTP status. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }

  get unreachable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

const withId = (path: string, id: string) => path.replace(':id', encodeURIComponent(id));

const ErrorEnvelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export class HubClient {
  constructor(
    readonly baseUrl: string,
    private token: string | null = null,
  ) {}

  private async call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    o: { body?: unknown; query?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
        signal: AbortSignal.timeout(o.timeoutMs ?? CALL_TIMEOUT_MS),
      });
    } catch (e) {
      throw new HubError(
        0,
        'hub_unreachable',
        `The hub at ${this.baseUrl} did not answer (${(e as Error).message})`,
      );
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: a proxy's page, or no hub at all
    }
    if (!res.ok) {
      const env = ErrorEnvelope.safeParse(json);
      throw env.success
        ? new HubError(res.status, env.data.error.code, env.data.error.message)
        : new HubError(res.status, 'hub_error', `The hub answered ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new HubError(
        502,
        'hub_answer',
        `The hub's answer to ${method} ${path} is not what its contract says`,
      );
    return parsed.data;
  }

  async signIn(email: string, password: string) {
    const r = hubRoutes.signIn;
    const session = await this.call(r.method, r.path, r.response, { body: { email, password } });
    this.token = session.token;
    return session;
  }

  async signOut(): Promise<void> {
    const r = hubRoutes.signOut;
    await this.call(r.method, r.path, z.unknown(), { timeoutMs: 3_000 });
  }

  agents() {
    const r = hubRoutes.listAgents;
    return this.call(r.method, r.path, r.response);
  }

  createAgent(body: AgentCreate) {
    const r = hubRoutes.createAgent;
    return this.call(r.method, r.path, r.response, { body });
  }

  patchAgent(id: string, body: AgentPatch) {
    const r = hubRoutes.patchAgent;
    return this.call(r.method, withId(r.path, id), r.response, { body });
  }

  createChannel(body: ChannelCreate) {
    const r = hubRoutes.createChannel;
    return this.call(r.method, r.path, r.response, { body, timeoutMs: CHANNEL_CALL_TIMEOUT_MS });
  }

  patchChannel(id: string, body: ChannelPatch) {
    const r = hubRoutes.patchChannel;
    return this.call(r.method, withId(r.path, id), r.response, { body, timeoutMs: CHANNEL_CALL_TIMEOUT_MS });
  }

  async deleteChannel(id: string): Promise<void> {
    const r = hubRoutes.deleteChannel;
    await this.call(r.method, withId(r.path, id), z.unknown());
  }

  async channels() {
    const r = hubRoutes.listChannels;
    return (await this.call(r.method, r.path, r.response)).items;
  }

  snapshot(cursor: string | null) {
    const r = hubRoutes.snapshot;
    return this.call(r.method, r.path, r.response, { query: cursor ? { cursor } : {} });
  }

  changes(after: number, limit: number) {
    const r = hubRoutes.changes;
    return this.call(r.method, r.path, r.response, { query: { after: String(after), limit: String(limit) } });
  }

  async ops(ops: Record<string, unknown>[], timeoutMs?: number): Promise<OpResult[]> {
    const r = hubRoutes.ops;
    return (await this.call(r.method, r.path, r.response, { body: { ops }, timeoutMs })).results;
  }
}
