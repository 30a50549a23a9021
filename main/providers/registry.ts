// Provider id → its connector and its simulator. The only place that lists the five.
import type { ProviderId } from '../contract/schemas';
import type { ConnectorFactory } from './types';
import type { ProviderSim } from './simkit';
import * as chatpion from './chatpion/connector';
import * as chatpionSim from './chatpion/simulator';
import * as chatbots from './chatbots-platform/connector';
import * as chatbotsSim from './chatbots-platform/simulator';
import * as instantchat from './instantchat/connector';
import * as instantchatSim from './instantchat/simulator';
import * as assistify from './assistify/connector';
import * as assistifySim from './assistify/simulator';
import * as chatapi from './chatapi/connector';
import * as chatapiSim from './chatapi/simulator';

export interface SimOptions {
  seed: number;
  /** Size of the seeded world (benchmarks); each simulator keeps a small default. */
  conversations?: number;
  messagesPerConversation?: number;
  /** Benchmarks: no server-side rate limits. */
  unlimited?: boolean;
  /**
   * Answer only with what the provider's document shows, and where it is silent take the least helpful
   * plausible reading (DESIGN.md, "Strict mode"), so a connector that leans on an invented field fails here.
   */
  strict?: boolean;
}

export const connectorFactories: Record<ProviderId, ConnectorFactory> = {
  chatpion: chatpion.createConnector,
  'chatbots-platform': chatbots.createConnector,
  instantchat: instantchat.createConnector,
  assistify: assistify.createConnector,
  chatapi: chatapi.createConnector,
};

export const simulatorFactories: Record<ProviderId, (o: SimOptions) => ProviderSim> = {
  chatpion: chatpionSim.createSimulator,
  'chatbots-platform': chatbotsSim.createSimulator,
  instantchat: instantchatSim.createSimulator,
  assistify: assistifySim.createSimulator,
  chatapi: chatapiSim.createSimulator,
};
