// A team's channels as its admins manage them (main/channels/service.ts, for a team): credentials checked by
// shape and by a real connect, sealed at rest, never shown; each change a 'channel' change and an audit row in
// one transaction, then told to the instance that runs the channel (NOTIFY) so it reconnects, stops or starts.
import crypto from 'node:crypto';
import type { Channel, ProviderId } from '../../main/domain/entities';
import type { ChannelCreate, ChannelPatch } from '../../main/contract/schemas';
import { checkCredentials, checkSameOrigin } from '../../main/domain/channelRules';
import { DomainError } from '../../main/domain/errors';
import { ProviderError, type ProviderErrorKind } from '../../main/providers/http';
import { agentSentence } from '../../main/providers/refusals';
import type { HubDatabase, Tx } from '../db/database';
import {
  channelById,
  deleteChannel,
  insertChannel,
  teamChannels,
  toChannelView,
  updateChannel,
  type ChannelRow,
} from '../db/channels';
import { appendAudit } from '../db/team';
import type { SecretBox } from '../../main/secrets/keyfile';
import { CHANNEL_NOTICE, type ChannelWork } from './channelWork';

interface Actor {
  teamId: string;
  agentId: string;
}

export class ChannelAdmin {
  private readonly secrets: SecretBox;

  constructor(
    private readonly db: HubDatabase,
    private readonly work: ChannelWork,
  ) {
    this.secrets = work.secrets;
  }

  view(row: ChannelRow): Channel {
    return toChannelView(row, this.work.capabilitiesOf(row.provider));
  }

  async list(teamId: string): Promise<Channel[]> {
    return (await teamChannels(this.db, teamId)).map((r) => this.view(r));
  }

  /**
   * Saved even when the provider refuses the credentials or cannot be reached (an account can be added while
   * its provider is down): the answer says why, and the channel keeps trying.
   */
  async create(who: Actor, body: ChannelCreate): Promise<Channel> {
    const failure = await this.connectOnce(body);
    const row = await this.change(who, 'channel.create', body.name, async (t) =>
      insertChannel(t, {
        id: crypto.randomUUID(),
        teamId: who.teamId,
        provider: body.provider,
        name: body.name,
        baseUrl: body.baseUrl,
        credentials: this.secrets.encrypt(JSON.stringify(body.credentials)),
        webhookSecret: this.secrets.encrypt(crypto.randomBytes(24).toString('base64url')),
      }),
    );
    const view = this.view(row);
    if (!failure) return view;
    return { ...view, status: failure.kind === 'auth' ? 'auth_error' : 'offline', error: failure.sentence };
  }

  async patch(who: Actor, id: string, p: ChannelPatch): Promise<Channel> {
    const row = await this.teamChannel(who.teamId, id);
    checkSameOrigin(row, p);
    if (p.credentials) checkCredentials(row.provider, p.credentials);
    const updated = await this.change(who, 'channel.update', id, async (t) =>
      updateChannel(t, id, {
        name: p.name,
        baseUrl: p.baseUrl,
        credentials: p.credentials ? this.secrets.encrypt(JSON.stringify(p.credentials)) : undefined,
        paused: p.paused,
      }),
    );
    return this.view(updated);
  }

  async remove(who: Actor, id: string): Promise<void> {
    await this.teamChannel(who.teamId, id);
    await this.change(who, 'channel.delete', id, async (t) => ((await deleteChannel(t, id)) ? { id } : null));
  }

  private async teamChannel(teamId: string, id: string): Promise<ChannelRow> {
    const row = await channelById(this.db, id);
    if (!row || row.team_id !== teamId) throw DomainError.notFound('channel', id);
    return row;
  }

  /**
   * Applies a change with its feed entry (the channel as the team now sees it, or `{id, deleted: true}`) and
   * audit row, then has the instances look at their channels.
   */
  private async change<T extends ChannelRow | { id: string }>(
    who: Actor,
    action: string,
    target: string,
    apply: (t: Tx) => Promise<T | null>,
  ): Promise<T> {
    const done = await this.db.tx(async (t) => {
      const r = await apply(t);
      if (!r) return null;
      const data = 'provider' in r ? this.view(r) : { id: r.id, deleted: true };
      t.change({ teamId: who.teamId, kind: 'channel', data });
      await appendAudit(t, { teamId: who.teamId, agentId: who.agentId, action, target: r.id });
      await t.query('SELECT pg_notify($1, $2)', [CHANNEL_NOTICE, r.id]);
      return r;
    });
    if (!done) throw DomainError.notFound('channel', target);
    this.work.refresh();
    return done;
  }

  /** Null when the provider takes the credentials; otherwise why not, as the admin reads it. */
  private async connectOnce(
    body: ChannelCreate,
  ): Promise<{ kind: ProviderErrorKind; sentence: string } | null> {
    checkCredentials(body.provider, body.credentials);
    const connector = this.work.connector(body.provider, body.baseUrl, body.credentials, 'test', 'test');
    try {
      await connector.authenticate();
      return null;
    } catch (e) {
      const err = e instanceof ProviderError ? e : new ProviderError('malformed', (e as Error).message);
      return { kind: err.kind, sentence: agentSentence(body.provider as ProviderId, err, 'credentials') };
    } finally {
      await connector.close().catch(() => undefined);
    }
  }
}
