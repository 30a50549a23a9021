// A team admin's work, passed to the hub with this desktop's session: the team's agents (list, invite with a
// one-time password, rename, change role, deactivate) and its channels (add, edit, remove; credentials go straight
// to the hub and are never stored here). The hub decides who may: its refusal reaches the screen in its words.
import crypto from 'node:crypto';
import type { Store } from '../db';
import type { CoreEvents } from '../events';
import type { SecretBox } from '../secrets/keyfile';
import type { Channel, ChannelCreate, ChannelPatch } from '../contract/schemas';
import type { TeamAgent } from '../contract/hub';
import type { AgentInvite, AgentInvited, TeamAgentPatch } from '../contract/team';
import { ApiError } from '../api/errors';
import { DomainError } from '../domain/errors';
import { HubClient, HubError } from './hubClient';

export interface TeamAdminDeps {
  store: Store;
  events: CoreEvents;
  secrets: SecretBox;
  /** The team's channel as the local API shows it, once stored here. */
  channelView: (id: string) => Channel | null;
}

export class TeamAdmin {
  constructor(private readonly d: TeamAdminDeps) {}

  async agents(): Promise<TeamAgent[]> {
    return (await this.hub((c) => c.agents())).items;
  }

  async invite(body: AgentInvite): Promise<AgentInvited> {
    const password = oneTimePassword();
    const agent = await this.hub((c) => c.createAgent({ ...body, password }));
    this.d.store.team.applyAgent(agent);
    return { agent, password };
  }

  async patchAgent(id: string, body: TeamAgentPatch): Promise<TeamAgent> {
    const agent = await this.hub((c) => c.patchAgent(id, body));
    this.d.store.team.applyAgent(agent);
    return agent;
  }

  async createChannel(body: ChannelCreate): Promise<Channel> {
    return this.channelChanged(await this.hub((c) => c.createChannel(body)));
  }

  async patchChannel(id: string, body: ChannelPatch): Promise<Channel> {
    return this.channelChanged(await this.hub((c) => c.patchChannel(id, body)));
  }

  async removeChannel(id: string): Promise<void> {
    await this.hub((c) => c.deleteChannel(id));
    this.d.store.team.applyChannel({ id, deleted: true });
  }

  /** Stored and pushed at once (the feed brings the same change a moment later). */
  private channelChanged(hubChannel: Channel): Channel {
    this.d.store.team.applyChannel(hubChannel);
    const channel = this.d.channelView(hubChannel.id) ?? hubChannel;
    this.d.events.emit('channel.updated', channel);
    return channel;
  }

  private async hub<T>(call: (client: HubClient) => Promise<T>): Promise<T> {
    const team = this.d.store.team.get();
    if (!team) throw DomainError.conflict('solo_mode', 'This desktop is in no team.');
    try {
      return await call(new HubClient(team.hubUrl, this.d.secrets.decrypt(team.token)));
    } catch (e) {
      throw hubRefusal(e);
    }
  }
}

/** 16 characters from 96 random bits, easy to read out and type (the hub asks for at least 10). */
function oneTimePassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}

/** The hub's answer as the local API tells it: its own status and sentence, but a refused session signs out. */
function hubRefusal(e: unknown): unknown {
  if (!(e instanceof HubError)) return e;
  if (e.unreachable) return DomainError.unavailable('hub_unreachable', e.message);
  if (e.status === 401)
    return DomainError.conflict(
      'team_signed_out',
      "The hub refused this desktop's session: sign in again in Settings → Team.",
    );
  return new ApiError(e.status, e.code, e.message);
}
