// Flow toggles: applied through the outbox so a switch flipped while the provider is down applies when it
// returns; a provider-side change made meanwhile is reported as a conflict instead of being overwritten.
import crypto from 'node:crypto';
import type { Store } from '../db';
import type { FlowRow } from '../db/flows';
import type { OutboxRow } from '../domain/storage';
import type { Flow } from '../domain/entities';
import type { CoreEvents } from '../events';
import type { ChannelService } from '../channels/service';
import type { RemoteFlow } from '../domain/remote';
import { DomainError } from '../domain/errors';
import { ProviderError } from '../providers/http';
import { agentSentence } from '../providers/refusals';

export class FlowService {
  constructor(
    private readonly store: Store,
    private readonly events: CoreEvents,
    private readonly channels: ChannelService,
    private readonly kickOutbox: () => void,
    private readonly log: (line: string) => void,
  ) {}

  toFlow(r: FlowRow): Flow {
    const channel = this.channels.view(this.channels.get(r.channel_id));
    const caps = channel.capabilities;
    const active = r.desired_active === null ? Boolean(r.active) : Boolean(r.desired_active);
    const toggleable = caps.flows === 'toggle' || (caps.flows === 'on-only' && !active);
    return {
      id: String(r.id),
      channelId: r.channel_id,
      provider: channel.provider,
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      active,
      toggleable,
      testable: caps.flowTest,
      ...(!toggleable
        ? {
            reason:
              caps.unavailable.flows ??
              caps.unavailable.flowToggle ??
              `${channel.provider} flows cannot be switched through its API`,
          }
        : r.error
          ? { reason: r.error }
          : {}),
      pending: r.desired_active !== null,
    };
  }

  list(channelId: string | undefined): Flow[] {
    if (channelId) this.channels.get(channelId);
    return this.store.flows
      .list(channelId ?? null)
      .map((r) => this.toFlow(r))
      .sort((a, b) => Number(b.toggleable) - Number(a.toggleable));
  }

  private row(id: string): FlowRow {
    const r = Number.isSafeInteger(Number(id)) ? this.store.flows.get(Number(id)) : undefined;
    if (!r) throw DomainError.notFound('flow', id);
    return r;
  }

  setActive(id: string, active: boolean): Flow {
    const r = this.row(id);
    const flow = this.toFlow(r);
    if (!flow.toggleable)
      throw DomainError.unprocessable('not_toggleable', flow.reason ?? 'This flow cannot be switched');
    if (r.desired_active === null && Boolean(r.active) === active) return flow;
    this.store.transaction(() => {
      this.store.flows.setDesired(r.id, active);
      this.store.outbox.insert({
        kind: 'flow_toggle',
        channelId: r.channel_id,
        conversationId: null,
        messageId: null,
        payload: {
          flowId: r.id,
          externalId: r.external_id,
          name: r.name,
          active,
          expected: Boolean(r.active),
        },
        key: crypto.randomUUID(),
      });
    });
    this.kickOutbox();
    return this.emit(r.id);
  }

  async test(id: string, input: string) {
    const r = this.row(id);
    const connector = this.channels.connectorFor(r.channel_id);
    if (!connector?.testFlow)
      throw DomainError.unprocessable('not_testable', `${this.toFlow(r).provider} offers no flow test`);
    try {
      return await connector.testFlow(r.external_id, input);
    } catch (e) {
      const err = e instanceof ProviderError ? e : new ProviderError('malformed', (e as Error).message);
      this.log(`flow ${r.id} test: ${err.kind}: ${err.message}`);
      throw DomainError.unavailable(
        'provider_unavailable',
        `The test could not run: ${agentSentence(connector.provider, err, 'flow_test')}`,
      );
    }
  }

  /** The outbox finished a toggle: record what the provider now says. */
  settled(row: OutboxRow, outcome: { ok: true; result?: unknown } | { ok: false; error: string }): void {
    const p = JSON.parse(row.payload) as { flowId: number; active: boolean };
    const flow = this.store.flows.get(p.flowId);
    if (!flow) return;
    if (outcome.ok) {
      const remote = outcome.result as RemoteFlow | undefined;
      const active = remote?.active ?? p.active;
      this.store.flows.setApplied(
        flow.id,
        active,
        active === p.active ? null : `the provider kept it ${active ? 'on' : 'off'}`,
      );
    } else this.store.flows.setApplied(flow.id, Boolean(flow.active), `could not switch: ${outcome.error}`);
    this.emit(flow.id);
  }

  emitChannel(channelId: string): void {
    for (const r of this.store.flows.list(channelId)) this.events.emit('flow.updated', this.toFlow(r));
  }

  private emit(id: number): Flow {
    const f = this.toFlow(this.store.flows.get(id)!);
    this.events.emit('flow.updated', f);
    return f;
  }
}
