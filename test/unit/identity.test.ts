// The keys a contact is recognised by across channels: emails and phone numbers normalised, handles kept to their
// provider and platform, and the fallbacks connectors use (a name, an id, a stand-in) never taken for an identity.
import { describe, expect, it } from 'vitest';
import { identityKeys, normaliseEmail, normalisePhone } from '../../main/domain/identity';

const contact = (o: { handle?: string; email?: string; platform?: string; name?: string; id?: string }) => ({
  externalId: o.id ?? '42',
  name: o.name ?? 'Ana García',
  handle: o.handle ?? '',
  ...(o.platform ? { platform: o.platform } : {}),
  ...(o.email ? { email: o.email } : {}),
});

describe('normalising', () => {
  it('lowercases and trims emails, and refuses what is no address', () => {
    expect(normaliseEmail('  Ana.Garcia@Example.COM ')).toBe('ana.garcia@example.com');
    expect(normaliseEmail('ana@localhost')).toBeNull();
    expect(normaliseEmail('not an email')).toBeNull();
  });

  it('writes international numbers as + and digits, however they were punctuated', () => {
    for (const written of [
      '+49 170 1234567',
      '0049-170-1234567',
      '+49 (170) 123.45.67',
      'whatsapp:+491701234567',
    ])
      expect(normalisePhone(written)).toBe('+491701234567');
  });

  it('takes bare digits for a number only on a phone platform, and never a national or implausible one', () => {
    expect(normalisePhone('491701234567')).toBeNull();
    expect(normalisePhone('491701234567', true)).toBe('+491701234567');
    expect(normalisePhone('0170 1234567', true)).toBeNull();
    expect(normalisePhone('+12345')).toBeNull();
    expect(normalisePhone('+1234567890123456')).toBeNull();
    expect(normalisePhone('+49 170 CALL-ME')).toBeNull();
  });
});

describe('identity keys', () => {
  it('gives the email first, then what the handle is: an email, a phone number or a username', () => {
    expect(
      identityKeys('chatpion', contact({ email: 'Ana@Example.com', handle: 'ana.g', platform: 'Instagram' })),
    ).toEqual(['email:ana@example.com', 'handle:chatpion:instagram:ana.g']);
    expect(identityKeys('instantchat', contact({ handle: 'ANA@example.com' }))).toEqual([
      'email:ana@example.com',
    ]);
    expect(identityKeys('chatbots-platform', contact({ handle: '+49 170 1234567' }))).toEqual([
      'phone:+491701234567',
    ]);
    expect(identityKeys('chatpion', contact({ handle: '491701234567', platform: 'whatsapp' }))).toEqual([
      'phone:+491701234567',
    ]);
  });

  it('says an email handle and the same email field once', () => {
    expect(identityKeys('chatapi', contact({ handle: 'ana@example.com', email: 'ANA@example.com' }))).toEqual(
      ['email:ana@example.com'],
    );
  });

  it('keeps a username to its provider and platform', () => {
    const a = identityKeys('chatpion', contact({ handle: 'ana.g', platform: 'facebook' }));
    expect(a).not.toEqual(identityKeys('chatapi', contact({ handle: 'ana.g', platform: 'facebook' })));
    expect(a).not.toEqual(identityKeys('chatpion', contact({ handle: 'ana.g', platform: 'telegram' })));
    expect(a).toEqual(identityKeys('chatpion', contact({ handle: 'ANA.G', platform: 'facebook' })));
  });

  it('finds nobody in a fallback: a name for a handle, the id for a handle, a Facebook id, a stand-in contact', () => {
    expect(identityKeys('chatapi', contact({ handle: 'Ana García' }))).toEqual([]);
    expect(identityKeys('chatapi', contact({ handle: 'Customer', name: 'Customer', id: 'room:7' }))).toEqual(
      [],
    );
    expect(identityKeys('chatpion', contact({ handle: '42', id: '42' }))).toEqual([]);
    expect(identityKeys('chatpion', contact({ handle: '1234567890123', platform: 'facebook' }))).toEqual([
      'handle:chatpion:facebook:1234567890123',
    ]);
    expect(
      identityKeys('chatapi', contact({ id: '?x1', handle: 'conversation-x1', email: 'a@b.example' })),
    ).toEqual([]);
    expect(identityKeys('assistify', contact({ handle: '' }))).toEqual([]);
  });
});
