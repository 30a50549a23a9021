// Deterministic, realistic support-chat text for the benchmark data: several languages and scripts, short chat
// lines most of the time and long paragraphs some of the time, a large-ish vocabulary, a few words everyone
// writes ("order", "refund") and a few almost nobody writes (RARE_WORDS) so search can be measured both ways.
import type { Rng } from '../../main/providers/simkit/world';

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Words that appear in roughly one message in RARE_RATE: the "needle" searches. */
export const RARE_WORDS = [
  'zeppelin',
  'quokka',
  'marzipan',
  'xylophone',
  'kumquat',
  'obsidian',
  'platypus',
  'gazebo',
  'tamarind',
  'yodel',
] as const;
export const RARE_RATE = 40_000;

const PRODUCTS = [
  'headphones',
  'blender',
  'gold package',
  'running shoes',
  'phone case',
  'gift card',
  'yoga mat',
  'coffee grinder',
  'backpack',
  'smart watch',
  'desk lamp',
  'winter jacket',
  'charger',
  'subscription',
  'premium plan',
  'air fryer',
  'keyboard',
  'sunglasses',
  'water bottle',
  'espresso machine',
  'monitor',
  'sofa cover',
  'tent',
  'bike helmet',
];
const CITIES = [
  'Lisbon',
  'Madrid',
  'Berlin',
  'Paris',
  'Lagos',
  'Nairobi',
  'Tokyo',
  'Osaka',
  'Seoul',
  'São Paulo',
  'Mexico City',
  'Toronto',
  'Chicago',
  'Dublin',
  'Warsaw',
  'Istanbul',
  'Cairo',
  'Dubai',
  'Mumbai',
  'Jakarta',
  'Sydney',
  'Auckland',
  'Oslo',
  'Athens',
];
const DAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
  'tomorrow',
  'yesterday',
];
const EMOJI = ['🙂', '🙏', '😕', '👍', '📦', '😡', '❤️', '🎉', '🤔', '😅'];

interface Lang {
  code: string;
  weight: number;
  /** Customer lines; {o} order number, {p} product, {c} city, {d} day. */
  customer: string[];
  agent: string[];
  /** Filler for long messages. */
  filler: string[];
}

const LANGS: Lang[] = [
  {
    code: 'en',
    weight: 50,
    customer: [
      'Hi, where is my order #{o}?',
      'I was charged twice for my {p}.',
      'Can I change the delivery address to {c}?',
      'The {p} arrived damaged, the box was crushed.',
      'I would like a refund for order {o} please.',
      'Do you ship to {c}?',
      'My tracking number does not work, it says label created since {d}.',
      'Hello? Anyone there?',
      'Thanks, that fixed it!',
      'Is the {p} available in blue?',
      'I never received the confirmation email for order {o}.',
      'The app keeps logging me out when I open my order history.',
      'Can I cancel my subscription before the next billing date?',
      'You said it would arrive {d} but nothing yet.',
      'Still waiting for an answer about my refund.',
      'How do I reset my password?',
      'The discount code does not apply at checkout.',
      'ok',
      'thanks',
      'Any update on this?',
    ],
    agent: [
      'Hi {n}, thanks for reaching out! Let me check order {o} for you.',
      'I am sorry about that. I have issued a refund, it can take 3-5 business days to show up.',
      'Could you share your order number please?',
      'Your parcel left our warehouse {d} and should reach {c} within two days.',
      'I have forwarded this to our logistics team, they will contact the courier.',
      'Happy to help! Is there anything else I can do for you?',
      'I have updated the delivery address, you will get a new confirmation email.',
      'Please try logging out and back in, then clear the app cache.',
      'The {p} is back in stock, I reserved one for you.',
      'Thanks for your patience, the replacement is on its way.',
    ],
    filler: [
      'I have been a customer for years and this never happened before.',
      'To be honest I am quite disappointed with the service this time.',
      'I already contacted support by email last week and got no answer.',
      'The courier said the package was left at the door but it was not there.',
      'My neighbour also did not see anything.',
      'I attached a photo of the receipt and the damaged packaging.',
      'Please let me know what the next steps are.',
      'I need this before the weekend because it is a birthday present.',
      'The website said free shipping over fifty dollars.',
      'If this cannot be solved I would like my money back.',
      'The order confirmation shows the wrong size.',
      'I tried two different cards and both were declined.',
    ],
  },
  {
    code: 'es',
    weight: 12,
    customer: [
      'Hola, ¿dónde está mi pedido {o}?',
      '¿Puedo devolver el {p} después de 30 días?',
      'Me cobraron dos veces, necesito un reembolso.',
      'El paquete llegó roto 😡',
      '¿Hacen envíos a {c}?',
      'Gracias por la ayuda!',
      'Todavía no recibí nada y ya es {d}.',
    ],
    agent: [
      '¡Hola {n}! Ya reviso tu pedido {o}.',
      'Lo siento mucho, el reembolso ya fue procesado.',
      'Tu paquete sale hoy desde nuestro almacén.',
      '¿Me puedes enviar una foto del producto?',
    ],
    filler: [
      'Soy cliente desde hace años y nunca me pasó algo así.',
      'El repartidor dijo que lo dejó en la puerta pero no estaba.',
      'Necesito una solución urgente por favor.',
      'Ya escribí por correo la semana pasada y nadie respondió.',
    ],
  },
  {
    code: 'pt',
    weight: 8,
    customer: [
      'Olá! Vocês têm o {p} em azul?',
      'Meu pedido {o} ainda não chegou.',
      'Quero cancelar a assinatura.',
      'O reembolso ainda não caiu na minha conta.',
      'Vocês entregam em {c}?',
      'Obrigado!',
    ],
    agent: [
      'Oi {n}, vou verificar o pedido {o} agora mesmo.',
      'O reembolso foi feito e pode levar até 5 dias úteis.',
      'Seu pedido foi enviado e chega até {d}.',
    ],
    filler: [
      'Já é a segunda vez que isso acontece comigo.',
      'A transportadora diz que entregou mas não recebi nada.',
      'Preciso disso com urgência para o trabalho.',
    ],
  },
  {
    code: 'fr',
    weight: 7,
    customer: [
      'Bonjour, ma commande {o} n’est pas arrivée.',
      'Le {p} est arrivé cassé.',
      'Est-ce que vous livrez à {c} ?',
      'Je voudrais être remboursé, s’il vous plaît.',
      'Merci beaucoup !',
    ],
    agent: [
      'Bonjour {n}, je regarde votre commande {o} tout de suite.',
      'Le remboursement a été effectué, comptez 3 à 5 jours ouvrés.',
      'Votre colis part aujourd’hui de notre entrepôt.',
    ],
    filler: [
      'Je suis cliente depuis longtemps et c’est la première fois que cela arrive.',
      'Le livreur dit avoir laissé le colis devant la porte.',
      'J’ai besoin d’une réponse rapide, merci.',
    ],
  },
  {
    code: 'de',
    weight: 7,
    customer: [
      'Hallo, wo ist meine Bestellung {o}?',
      'Wie kann ich mein Passwort zurücksetzen?',
      'Der {p} ist kaputt angekommen.',
      'Liefern Sie auch nach {c}?',
      'Ich möchte eine Rückerstattung.',
      'Danke schön!',
    ],
    agent: [
      'Hallo {n}, ich prüfe Ihre Bestellung {o} sofort.',
      'Die Rückerstattung wurde veranlasst, das dauert 3-5 Werktage.',
      'Ihr Paket wird am {d} zugestellt.',
    ],
    filler: [
      'Ich habe schon letzte Woche eine E-Mail geschrieben und keine Antwort bekommen.',
      'Der Paketbote hat das Paket angeblich vor die Tür gelegt.',
      'Bitte melden Sie sich so schnell wie möglich.',
    ],
  },
  {
    code: 'ru',
    weight: 5,
    customer: [
      'Здравствуйте! Когда будет доставка заказа {o}?',
      'Мне дважды списали деньги.',
      'Посылка пришла повреждённой.',
      'Спасибо большое!',
    ],
    agent: ['Здравствуйте, {n}! Проверяю заказ {o}.', 'Возврат средств оформлен, срок 3-5 рабочих дней.'],
    filler: ['Я уже писал вам на почту на прошлой неделе.', 'Курьер сказал, что оставил посылку у двери.'],
  },
  {
    code: 'ja',
    weight: 4,
    customer: [
      'こんにちは、注文{o}をキャンセルしたいです。',
      '商品が壊れて届きました。',
      '配送はいつになりますか？',
      'ありがとうございました！',
    ],
    agent: ['{n}様、お問い合わせありがとうございます。注文{o}を確認します。', '返金手続きが完了しました。'],
    filler: ['先週メールでも問い合わせましたが返信がありません。', '急ぎで必要なのでよろしくお願いします。'],
  },
  {
    code: 'zh',
    weight: 3,
    customer: ['你好，我的退款什么时候到账？', '订单{o}还没有发货。', '包裹破损了。', '谢谢！'],
    agent: ['{n}您好，我马上为您查询订单{o}。', '退款已处理，3-5个工作日到账。'],
    filler: ['我上周已经发过邮件了，但是没有人回复。', '快递员说放在门口了，但是我没有收到。'],
  },
  {
    code: 'ar',
    weight: 2,
    customer: ['مرحبا، أريد تتبع طلبي {o}', 'وصل المنتج تالفا', 'شكرا جزيلا'],
    agent: ['مرحبا {n}، سأتحقق من طلبك {o} الآن.', 'تم رد المبلغ، يستغرق من 3 إلى 5 أيام عمل.'],
    filler: ['راسلتكم بالبريد الأسبوع الماضي ولم يرد أحد.'],
  },
];

const LANG_TOTAL = LANGS.reduce((a, l) => a + l.weight, 0);

export function pickLanguage(r: Rng): number {
  let x = r() * LANG_TOTAL;
  for (let i = 0; i < LANGS.length; i++) {
    x -= LANGS[i].weight;
    if (x < 0) return i;
  }
  return 0;
}

export const languageCode = (i: number) => LANGS[i].code;

function fill(r: Rng, s: string, first: string): string {
  return s
    .replace('{o}', String(int(r, 100000, 999999)))
    .replace('{p}', pick(r, PRODUCTS))
    .replace('{c}', pick(r, CITIES))
    .replace('{d}', pick(r, DAYS))
    .replace('{n}', first);
}

/**
 * One message. Lengths: ~60% one short line, ~30% two to four sentences, ~10% a long paragraph (up to ~1.5k chars).
 */
export function messageText(r: Rng, lang: number, fromCustomer: boolean, first: string): string {
  const L = LANGS[lang];
  const bank = fromCustomer ? L.customer : L.agent;
  const shape = r();
  let text = fill(r, pick(r, bank), first);
  if (shape > 0.6) {
    const extra = shape > 0.9 ? int(r, 4, 14) : int(r, 1, 3);
    for (let i = 0; i < extra; i++)
      text += ' ' + (r() < 0.7 ? pick(r, L.filler) : fill(r, pick(r, bank), first));
  }
  if (fromCustomer && r() < 0.12) text += ' ' + pick(r, EMOJI);
  if (r() * RARE_RATE < 1) text += ` ${pick(r, RARE_WORDS)}`;
  return text;
}

const FIRST = [
  'Ana', 'João', 'Mei', 'Taro', 'Olga', 'Ahmed', 'Priya', 'Lukas', 'Chloé', 'Kwame', 'Sofia', 'An', 'Fatima', 'Liam',
  'Sara', 'Ivan', 'Aiko', 'Mateo', 'Emma', 'Dmitri', 'Zanele', 'Hannah', 'Omar', 'Ji-woo', 'Léa', 'Ravi', 'Isabella',
  'Noah', 'Yara', 'Elif', 'Sofía', 'Andrei', 'Mohammed', 'Na', 'Minjun', 'Ngozi', 'Carlos', 'Astrid', 'Lucas', 'Mia',
  'Hugo', 'Nora', 'Tariq', 'Ingrid', 'Pedro', 'Yuki', 'Amara', 'Jonas', 'Chen', 'Aisha',
]; // prettier-ignore
const LAST = [
  'García', 'Silva', 'Chen', 'Yamada', 'Petrova', 'Hassan', 'Sharma', 'Müller', 'Dubois', 'Mensah', 'Rossi', 'Nguyen',
  'Zahra', 'O’Brien', 'Cohen', 'Horvat', 'Tanaka', 'López', 'Johansson', 'Volkov', 'Dlamini', 'Schmidt', 'Farouk',
  'Kim', 'Martin', 'Patel', 'Costa', 'Williams', 'Haddad', 'Yılmaz', 'Papadopoulou', 'Smirnov', 'Ali', 'Li', 'Park',
  'Okafor', 'Mendoza', 'Larsen', 'Novak', 'Kowalski', 'Andersen', 'Rahman', 'Fernández', 'Santos', 'Ivanova', 'Sato',
  'Bianchi', 'Moreau', 'Jansen', 'Eriksson',
]; // prettier-ignore

export function personName(r: Rng): { first: string; name: string } {
  const first = pick(r, FIRST);
  return { first, name: `${first} ${pick(r, LAST)}` };
}
