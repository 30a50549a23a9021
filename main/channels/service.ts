// Provider accounts: credentials sealed at rest, a connector and a ChannelSync per active channel.
import crypto from 'node:crypto';
import type { Store } from '../db';
import type { ChannelRow } from '../db/channels';
import { toChannelView } from '../db/channels';
import type { ChannelCreate, ChannelPatch } from '../contract/schemas';
import type { Capabilities, Channel, Credentials, ProviderId } from '../domain/entities';
import { connectorFactories } from '../providers/registry';
import { AccountLimiters } from '../providers/limiters';
import type { ProviderConnector } from '../providers/types';
import type { SecretBox } from '../secrets/keyfile';
import type { CoreEvents } from '../events';
import { ChannelSync } from '../sync/channelSync';
import { DomainError } from '../domain/errors';
import { checkCredentials, checkSameOrigin, reachesLoopback } from '../domain/channelRules';
import { ProviderError, type ProviderErrorKind } from '../providers/http';
import { agentSentence } from '../providers/refusals';
import type { BackoffScale } from '../domain/backoff';
import type { SyncStorage } from '../domain/storage';

export interface ChannelServiceDeps {
  store: Store;
  /** What each channel's sync stores through. */
  syncStorage: SyncStorage;
  events: CoreEvents;
  secrets: SecretBox;
  /** The local server's origin, for webhook URLs. */
  apiUrl: () => string;
  log: (line: string) => void;
  unlimited?: boolean;
  /** Tests: shortens every backoff of sync and realtime (default 1). */
  backoffScale?: BackoffScale;
}

export class ChannelService {
  private readonly syncs = new Map<string, ChannelSync>();
  private readonly declared = new Map<ProviderId, Capabilities>();
  /** Shared by every connector of an account, the credential test's included (see AccountLimiters). */
  private readonly limiters = new AccountLimiters();
  private paused = false;

  constructor(private readonly d: ChannelServiceDeps) {}

  /** Start syncing every stored, unpaused channel. */
  startAll(): void {
    this.sealAtRest();
    for (const row of this.d.store.channels.all()) if (!row.paused) this.startSync(row);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.syncs.values()].map((s) => s.stop()));
    this.syncs.clear();
  }

  view(row: ChannelRow): Channel {
    const status = this.paused || row.paused ? 'paused' : row.status;
    return { ...toChannelView(row), status, capabilities: this.capabilitiesOf(row) };
  }

  list(): Channel[] {
    return this.d.store.channels.all().map((r) => this.view(r));
  }

  get(id: string): ChannelRow {
    const row = this.d.store.channels.get(id);
    if (!row) throw DomainError.notFound('channel', id);
    return row;
  }

  connectorFor(channelId: string): ProviderConnector | null {
    return this.syncs.get(channelId)?.connector ?? null;
  }

  syncFor(channelId: string): ChannelSync | undefined {
    return this.syncs.get(channelId);
  }

  /** Check credentials against the provider without saving anything. */
  async test(body: ChannelCreate): Promise<{ ok: boolean; error?: string }> {
    const failure = await this.connectOnce(body);
    return failure ? { ok: false, error: failure.sentence } : { ok: true };
  }

  /**
   * Saved even when the provider refuses the credentials or cannot be reached (an account can be added while
   * its provider is down): the answer says why, the channel keeps trying, and PATCH takes new credentials.
   */
  async create(body: ChannelCreate, o: { demo?: boolean } = {}): Promise<Channel> {
    const failure = await this.connectOnce(body);
    const row = this.d.store.channels.insert({
      id: crypto.randomUUID(),
      provider: body.provider,
      name: body.name,
      baseUrl: body.baseUrl,
      credentials: this.d.secrets.encrypt(JSON.stringify(body.credentials)),
      webhookSecret: this.d.secrets.encrypt(crypto.randomBytes(24).toString('base64url')),
      demo: o.demo,
    });
    this.startSync(row);
    const view = this.view(row);
    if (!failure) return view;
    return { ...view, status: failure.kind === 'auth' ? 'auth_error' : 'offline', error: failure.sentence };
  }

  async patch(id: string, p: ChannelPatch): Promise<Channel> {
    const row = this.get(id);
    checkSameOrigin(row, p);
    if (p.credentials) checkCredentials(row.provider, p.credentials);
    const updated = this.d.store.channels.update(id, {
      name: p.name,
      baseUrl: p.baseUrl,
      credentials: p.credentials ? this.d.secrets.encrypt(JSON.stringify(p.credentials)) : undefined,
      paused: p.paused,
    })!;
    if (p.credentials || p.baseUrl || p.paused !== undefined) {
      await this.stopSync(id);
      if (!updated.paused) {
        this.d.store.channels.setStatus(id, 'connecting', null);
        this.startSync(this.get(id));
      }
    }
    this.d.events.emit('channel.changed', id);
    return this.view(this.get(id));
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    await this.stopSync(id);
    this.d.store.channels.delete(id);
  }

  /** The channels the demo workspace made (never one the agent added, whatever its name). */
  demoChannels(): Channel[] {
    return this.d.store.channels.demo().map((r) => this.view(r));
  }

  get syncPaused(): boolean {
    return this.paused;
  }

  /** Reconcile every channel now (the network came back). */
  pollAllNow(): void {
    for (const s of this.syncs.values()) s.pollNow();
  }

  /** Pause or resume every channel's sync at once (the tray's "Pause sync"). */
  async setSyncPaused(paused: boolean): Promise<void> {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) await this.stopAll();
    else this.startAll();
    for (const row of this.d.store.channels.all()) this.d.events.emit('channel.changed', row.id);
  }

  webhook(channelId: string) {
    const sync = this.syncs.get(channelId);
    return sync?.connector.handleWebhook
      ? { sync, handle: sync.connector.handleWebhook.bind(sync.connector) }
      : null;
  }

  /** Capabilities are declared per provider; a channel without a running connector borrows them from one built once. */
  private capabilitiesOf(row: ChannelRow): Capabilities {
    const live = this.syncs.get(row.id)?.connector;
    if (live) return live.capabilities;
    let caps = this.declared.get(row.provider);
    if (!caps) {
      caps = this.build(row.provider, row.base_url, { apiKey: 'unused' }, row.id, 'unused').capabilities;
      this.declared.set(row.provider, caps);
    }
    return caps;
  }

  /** Null when the provider takes the credentials; otherwise why not, as the agent reads it (the detail is logged). */
  private async connectOnce(
    body: ChannelCreate,
  ): Promise<{ kind: ProviderErrorKind; sentence: string } | null> {
    checkCredentials(body.provider, body.credentials);
    const connector = this.build(body.provider, body.baseUrl, body.credentials, 'test', 'test');
    try {
      await connector.authenticate();
      return null;
    } catch (e) {
      const err = e instanceof ProviderError ? e : new ProviderError('malformed', (e as Error).message);
      this.d.log(`[${body.provider}:${body.name}] credentials not taken: ${err.kind}: ${err.message}`);
      return { kind: err.kind, sentence: agentSentence(body.provider, err, 'credentials') };
    } finally {
      await connector.close().catch(() => undefined);
    }
  }

  private build(
    provider: ProviderId,
    baseUrl: string,
    credentials: Credentials,
    channelId: string,
    secret: string,
  ): ProviderConnector {
    return connectorFactories[provider]({
      baseUrl,
      credentials,
      webhookUrl: reachesLoopback(baseUrl) ? `${this.d.apiUrl()}/api/v1/webhooks/${channelId}` : null,
      webhookSecret: secret,
      unlimited: this.d.unlimited,
      backoffScale: this.d.backoffScale,
      rateLimiter: this.limiters.for(provider, baseUrl, credentials),
    });
  }

  /**
   * Every secret at rest sealed by the current scheme: webhook secrets kept in plain text before migration 007
   * are sealed, and values another scheme sealed (the desktop app's safeStorage without a keyring,
   * main/secrets/desktop.ts) are sealed again. A value that cannot be read here is left for startSync to report.
   */
  private sealAtRest(): void {
    const { channels } = this.d.store;
    for (const row of channels.all()) {
      try {
        const webhookSecret = row.webhook_secret_sealed
          ? this.d.secrets.reseal?.(row.webhook_secret_sealed)
          : this.d.secrets.encrypt(row.webhook_secret);
        if (webhookSecret) channels.sealWebhookSecret(row.id, webhookSecret);
        const credentials = this.d.secrets.reseal?.(row.credentials);
        if (credentials) channels.update(row.id, { credentials });
      } catch (e) {
        this.d.log(`[${row.provider}:${row.name}] secrets left as they are: ${(e as Error).message}`);
      }
    }
  }

  private startSync(row: ChannelRow): void {
    let credentials: Credentials;
    let webhookSecret: string;
    try {
      credentials = JSON.parse(this.d.secrets.decrypt(row.credentials)) as Credentials;
      webhookSecret = this.d.secrets.decrypt(row.webhook_secret_sealed!);
    } catch {
      this.d.store.channels.setStatus(
        row.id,
        'auth_error',
        'Stored credentials cannot be decrypted on this machine; enter them again.',
      );
      return;
    }
    const connector = this.build(row.provider, row.base_url, credentials, row.id, webhookSecret);
    const sync = new ChannelSync({
      storage: this.d.syncStorage,
      events: this.d.events,
      channelId: row.id,
      connector,
      log: (line) => this.d.log(`[${row.provider}:${row.name}] ${line}`),
      backoffScale: this.d.backoffScale,
    });
    this.syncs.set(row.id, sync);
    sync.start();
  }

  private async stopSync(id: string): Promise<void> {
    const s = this.syncs.get(id);
    this.syncs.delete(id);
    await s?.stop();
  }
}
