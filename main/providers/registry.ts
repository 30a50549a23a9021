// Provider id → its connector. The only place that lists the five connectors; main/providers/simulators.ts
// lists their simulators, which the product loads only for the demo workspace.
import type { ProviderId } from '../domain/entities';
import type { ConnectorFactory } from './types';
import * as chatpion from './chatpion/connector';
import * as chatbots from './chatbots-platform/connector';
import * as instantchat from './instantchat/connector';
import * as assistify from './assistify/connector';
import * as chatapi from './chatapi/connector';

export const connectorFactories: Record<ProviderId, ConnectorFactory> = {
  chatpion: chatpion.createConnector,
  'chatbots-platform': chatbots.createConnector,
  instantchat: instantchat.createConnector,
  assistify: assistify.createConnector,
  chatapi: chatapi.createConnector,
};
