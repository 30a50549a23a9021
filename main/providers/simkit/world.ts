// Simulated customers and their messages: deterministic from a seed, several languages and scripts.

export type Rng = () => number;

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const NAMES = [
  'Ana García',
  'João Silva',
  'Mei Chen',
  '山田 太郎',
  'Olga Petrova',
  'Ahmed Hassan',
  'Priya Sharma',
  'Lukas Müller',
  'Chloé Dubois',
  'Kwame Mensah',
  'Sofia Rossi',
  'Nguyễn Văn An',
  'Fatima Zahra',
  'Liam O’Brien',
  'Sara Cohen',
  'Ivan Horvat',
  'Aiko Tanaka',
  'Mateo López',
  'Emma Johansson',
  'Dmitri Volkov',
  'Zanele Dlamini',
  'Hannah Schmidt',
  'Omar Farouk',
  'Kim Ji-woo',
  'Léa Martin',
  'Ravi Patel',
  'Isabella Costa',
  'Noah Williams',
  'Yara Haddad',
  'Elif Yılmaz',
  'Σοφία Παπαδοπούλου',
  'Андрей Смирнов',
  'محمد علي',
  '李娜',
  '김민준',
  'Ngozi Okafor',
  'Carlos Mendoza',
  'Astrid Larsen',
];

const OPENERS = [
  'Hi! Where is my order #{n}?',
  'Hello, I was charged twice for my subscription 😕',
  'Can I change the delivery address?',
  'Do you ship to Portugal?',
  'The app keeps logging me out, any idea why?',
  'I want to buy the gold package',
  'Olá! Vocês têm esse produto em azul?',
  '¿Puedo devolver un artículo después de 30 días?',
  'Bonjour, ma commande n’est pas arrivée.',
  'こんにちは、注文をキャンセルしたいです。',
  'Здравствуйте! Когда будет доставка?',
  'Hallo, wie kann ich mein Passwort zurücksetzen?',
  'My package arrived damaged 📦💥',
  'Is there a discount for students? 🎓',
  'Thanks for the quick help yesterday! 🙏',
  'مرحبا، أريد تتبع طلبي',
  '你好，我的退款什么时候到账？',
];

const FOLLOWUPS = [
  'Any update?',
  'Thanks!',
  'Order number is {n}.',
  'It says delivered but I have nothing.',
  'Could you call me instead?',
  'Great, that worked 👍',
  'Still waiting…',
  'Can I get a refund?',
  'I attached a photo.',
  'Ok, I will try that.',
  'Perfect, thank you so much!',
];

const AGENT_LINES = [
  'Hi {first}, thanks for reaching out! Let me check that for you.',
  'I have forwarded this to our logistics team.',
  'Your refund has been issued, it can take 3-5 business days.',
  'Could you share your order number please?',
  'Happy to help! Anything else?',
];

export const TAGS = ['vip', 'customer', 'newsletter', 'lead', 'refund', 'shipping', 'billing'];
export const PLATFORMS = ['facebook', 'instagram', 'whatsapp', 'telegram'];

export interface Customer {
  name: string;
  handle: string;
  email: string;
  tags: string[];
  platform: string;
}

export function customer(r: Rng, i: number): Customer {
  const name = pick(r, NAMES);
  const ascii =
    name
      .normalize('NFKD')
      .replace(/[^A-Za-z ]/g, '')
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '.') || 'user';
  const tags = TAGS.filter(() => r() < 0.25);
  return {
    name,
    handle: `${ascii}${i}`,
    email: `${ascii}${i}@example.com`,
    tags,
    platform: pick(r, PLATFORMS),
  };
}

const fill = (r: Rng, s: string, c?: Customer) =>
  s.replace('{n}', String(int(r, 10000, 99999))).replace('{first}', c?.name.split(' ')[0] ?? 'there');

export const customerLine = (r: Rng, first: boolean) => fill(r, pick(r, first ? OPENERS : FOLLOWUPS));
export const agentLine = (r: Rng, c: Customer) => fill(r, pick(r, AGENT_LINES), c);

export interface SeedMessage {
  fromCustomer: boolean;
  text: string;
  at: Date;
}

/** A conversation history ending near `end`, 1..maxLen messages, alternating mostly customer → agent. */
export function history(r: Rng, c: Customer, end: number, maxLen = 12): SeedMessage[] {
  const n = int(r, 1, maxLen);
  const out: SeedMessage[] = [];
  let t = end - n * int(r, 60_000, 3_600_000);
  for (let i = 0; i < n; i++) {
    const fromCustomer = i === 0 || r() < 0.55;
    out.push({
      fromCustomer,
      text: fromCustomer ? customerLine(r, i === 0) : agentLine(r, c),
      at: new Date(t),
    });
    t += int(r, 20_000, 1_800_000);
  }
  // The inbox's interesting part: the customer has the last word in most conversations.
  if (!out[out.length - 1].fromCustomer && r() < 0.6)
    out[out.length - 1] = { fromCustomer: true, text: customerLine(r, false), at: out[out.length - 1].at };
  // Never in the future: shift the whole history back so the last message is at `end` at the latest.
  const overshoot = out[out.length - 1].at.getTime() - end;
  return overshoot > 0 ? out.map((m) => ({ ...m, at: new Date(m.at.getTime() - overshoot) })) : out;
}
