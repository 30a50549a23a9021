// The few local API calls the shell makes, with the same bearer token as the renderer.
import type { Channel, Conversation, Settings } from '../contract/schemas';
import type { DirectorySource } from '../contract/notificationDirectory';

export class LocalApiClient implements DirectorySource {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  getConversation(id: string): Promise<Conversation> {
    return this.request<Conversation>('GET', `/api/v1/conversations/${encodeURIComponent(id)}`);
  }

  async listChannels(): Promise<Channel[]> {
    return (await this.request<{ items: Channel[] }>('GET', '/api/v1/channels')).items;
  }

  patchSettings(patch: Partial<Settings>): Promise<Settings> {
    return this.request<Settings>('PATCH', '/api/v1/settings', patch);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}
