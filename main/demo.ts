// The demo workspace: the five simulators in-process, one channel each, customers writing in every few seconds.
import { startSimulators, type Simulators } from './providers/simulators';
import type { ChannelService } from './channels/service';
import type { Channel, Credentials } from './domain/entities';

export interface Demo {
  sims: Simulators;
  channels: Channel[];
  close(): Promise<void>;
}

const DEMO_NAME_PREFIX = 'Demo · ';
const MESSAGES_PER_SECOND = 0.4;

export async function startDemo(channels: ChannelService, log: (line: string) => void): Promise<Demo> {
  const sims = await startSimulators({ seed: 42 });
  const existing = channels.demoChannels();
  const out: Channel[] = [];
  for (const p of sims.providers()) {
    const credentials = p.credentials as Credentials;
    // Simulator ports change per launch: re-point the demo channels an earlier run made (flagged as demo
    // when made; a channel of the agent's is never touched, whatever its name).
    const old = existing.find((c) => c.provider === p.provider);
    out.push(
      old
        ? await channels.patch(old.id, { baseUrl: p.baseUrl, credentials })
        : await channels.create(
            { provider: p.provider, name: DEMO_NAME_PREFIX + p.provider, baseUrl: p.baseUrl, credentials },
            { demo: true },
          ),
    );
  }
  sims.traffic(MESSAGES_PER_SECOND);
  log(`demo workspace: five simulated providers, control API at ${sims.controlUrl}/_sim/providers`);
  return { sims, channels: out, close: () => sims.close() };
}
