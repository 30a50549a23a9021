// Broadcast templates: {{name}}, {{first_name}} and fallbacks filled in per recipient; anything else between
// braces refused with a sentence, never sent as written.
import { describe, expect, it } from 'vitest';
import {
  firstName,
  isPersonal,
  parseTemplate,
  renderTemplate,
  type TemplateContact,
} from '../../main/broadcasts/template';
import { DomainError } from '../../main/domain/errors';

const zoe: TemplateContact = { name: 'Zoë Ångström', handle: 'zoe_a', externalId: 'c-1' };
const lukasz: TemplateContact = { name: '  Łukasz   Nowak ', handle: 'lnowak', externalId: 'c-2' };
const nameless: TemplateContact = { name: '   ', handle: '@mia_88', externalId: 'c-3' };
const bare: TemplateContact = { name: '', handle: '', externalId: '4471234' };

const render = (text: string, c: TemplateContact) => renderTemplate(parseTemplate(text), c);

/** The DomainError parsing throws, to read its code and sentence. */
function refusal(text: string): DomainError {
  try {
    parseTemplate(text);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`parsed without complaint: ${text}`);
}

describe('broadcast templates', () => {
  it('fills in names and first names, Unicode included', () => {
    expect(render('Hi {{name}}, we open at 9.', zoe)).toBe('Hi Zoë Ångström, we open at 9.');
    expect(render('Hi {{first_name}}!', zoe)).toBe('Hi Zoë!');
    expect(render('Cześć {{first_name}} ({{name}})', lukasz)).toBe('Cześć Łukasz (Łukasz   Nowak)');
    expect(firstName('Ångström')).toBe('Ångström');
    expect(firstName('')).toBe('');
  });

  it('tolerates whitespace inside the braces, around the variable and the fallback', () => {
    expect(render('Hi {{ first_name }}', zoe)).toBe('Hi Zoë');
    expect(render('Hi {{ first_name | there }}', nameless)).toBe('Hi there');
    expect(render('Hi {{first_name|there}}', zoe)).toBe('Hi Zoë');
  });

  it('uses the fallback for a missing name, else the handle, else the provider id', () => {
    expect(render('Hi {{first_name|there}}', nameless)).toBe('Hi there');
    expect(render('Hi {{first_name}}', nameless)).toBe('Hi @mia_88');
    expect(render('Hi {{name}}', bare)).toBe('Hi 4471234');
    expect(render('Hi{{first_name|}}!', nameless)).toBe('Hi!');
    expect(render('Hi {{name|friend|s}}', bare)).toBe('Hi friend|s');
  });

  it('leaves text without variables as it is, single braces included', () => {
    expect(render('Sale {today} — 20% off', zoe)).toBe('Sale {today} — 20% off');
    expect(isPersonal(parseTemplate('Sale {today}'))).toBe(false);
    expect(isPersonal(parseTemplate('Hi {{name}}'))).toBe(true);
  });

  it('refuses an unknown variable, naming it and the ones it knows', () => {
    const e = refusal('Your order {{ order_id }} shipped');
    expect(e.kind).toBe('invalid');
    expect(e.code).toBe('template_unknown_variable');
    expect(e.message).toMatch(/\{\{order_id\}\}/);
    expect(e.message).toMatch(/\{\{name\}\} and \{\{first_name\}\}/);
    expect(refusal('Hi {{Name}}').code).toBe('template_unknown_variable');
    expect(refusal('Hi {{first name}}').message).toMatch(/\{\{first name\}\}/);
  });

  it('refuses malformed braces instead of sending them to customers', () => {
    expect(refusal('Hi {{name, welcome').code).toBe('template_unclosed');
    expect(refusal('Hi {{name, welcome').message).toMatch(/“\{\{name, welcome”/);
    expect(refusal('Hi {{first_name {{name}}').code).toBe('template_unclosed');
    expect(refusal('Hi name}} there').code).toBe('template_unopened');
    expect(refusal('Hi {{name}}}} there').code).toBe('template_unopened');
    expect(refusal('Hi {{ }}').code).toBe('template_empty');
    expect(refusal('Hi {{|there}}').code).toBe('template_empty');
  });
});
