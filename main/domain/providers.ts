// The five providers and the names they go by. No zod here: the renderer's first bundle takes these values
// without the runtime schemas (entities.ts builds ProviderId from PROVIDERS and re-exports both).

export const PROVIDERS = ['chatpion', 'chatbots-platform', 'instantchat', 'assistify', 'chatapi'] as const;

/** How each provider names itself, for what the agent reads. */
export const PROVIDER_NAMES: Record<(typeof PROVIDERS)[number], string> = {
  chatpion: 'ChatPion',
  'chatbots-platform': 'Chatbots Platform',
  instantchat: 'InstantChat',
  assistify: 'Assistify',
  chatapi: 'ChatAPI',
};
