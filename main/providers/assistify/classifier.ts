// The simulator's stand-in for Assistify's "ML models": a small deterministic keyword classifier
// giving each customer message an intent, a sentiment, a confidence and a suggested reply.

export const INTENTS = ['purchase', 'support', 'complaint', 'inquiry', 'return', 'tracking'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export type Intent = (typeof INTENTS)[number];
export type Sentiment = (typeof SENTIMENTS)[number];

export interface Classification {
  intent: Intent;
  sentiment: Sentiment;
  confidence: number;
  response: string;
}

// First matching rule wins, so the more specific intents come first.
const INTENT_RULES: [Intent, RegExp][] = [
  ['complaint', /damaged|broken|charged twice|terrible|worst|unacceptable|complain|💥/giu],
  ['return', /\breturn|refund|exchange|devolver|退款/giu],
  ['tracking', /where is my|\btrack|deliver|shipping|\bship\b|arrived|commande|доставк|تتبع/giu],
  ['purchase', /\bbuy|purchase|price|package|upgrade|discount|comprar|produto/giu],
  ['support', /help|password|passwort|logging|log in|error|not working|reset|cancel|キャンセル/giu],
];

const POSITIVE = /thank|great|perfect|love|awesome|happy|glad|excellent|\bbuy\b|👍|🙏|😊|❤/giu;
const NEGATIVE =
  /damaged|broken|twice|terrible|worst|angry|still waiting|nothing|n’est pas|logging me out|😕|💥|😡/giu;

const RESPONSES: Record<Intent, string> = {
  purchase: 'Great! The gold package costs $500/month. Shall I set it up for you?',
  support: 'Sorry for the trouble! Could you tell me a bit more so I can help?',
  complaint: 'I am really sorry about this. I have escalated it to our team and we will make it right.',
  inquiry: 'Thanks for your question! An agent will get back to you shortly.',
  return: 'You can return items within 30 days. I can start the return for you now.',
  tracking: 'Let me look up your order. Could you share the order number?',
};

const hits = (re: RegExp, text: string) => text.match(re)?.length ?? 0;

export function classify(text: string): Classification {
  const rule = INTENT_RULES.find(([, re]) => hits(re, text) > 0);
  const intent = rule?.[0] ?? 'inquiry';
  const confidence = rule ? Math.min(0.99, 0.65 + 0.15 * hits(rule[1], text)) : 0.5;
  const score = hits(POSITIVE, text) - hits(NEGATIVE, text);
  const sentiment = score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral';
  return { intent, sentiment, confidence: Math.round(confidence * 100) / 100, response: RESPONSES[intent] };
}
