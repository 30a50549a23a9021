// A broadcast's text as a template: `{{name}}` and `{{first_name}}` filled in per recipient, with a fallback
// after a bar (`{{first_name|there}}`), whitespace inside the braces tolerated. Anything else between braces is
// refused when the broadcast is made, never sent literally to customers: an unknown variable, an empty pair of
// braces, a `{{` never closed, a `}}` never opened. A variable with no value and no fallback takes the contact's
// handle (its provider id when it has none), so a missing name never holds a broadcast back. Pure.
import { DomainError } from '../domain/errors';

export const TEMPLATE_VARIABLES = ['name', 'first_name'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

type Part = { literal: string } | { variable: TemplateVariable; fallback: string | null };
export type Template = readonly Part[];

/** What a recipient's message is made of. */
export interface TemplateContact {
  name: string;
  handle: string;
  externalId: string;
}

const KNOWN = `${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(' and ')} (with a fallback after a bar, e.g. {{first_name|there}})`;
const EXCERPT_CHARS = 30;

const excerpt = (text: string, at: number) => {
  const s = text.slice(at, at + EXCERPT_CHARS);
  return text.length > at + EXCERPT_CHARS ? `${s}…` : s;
};

const isVariable = (name: string): name is TemplateVariable =>
  (TEMPLATE_VARIABLES as readonly string[]).includes(name);

/** Parse a broadcast's text; a DomainError ('invalid') in a sentence for anything that is not a clean template. */
export function parseTemplate(text: string): Template {
  const parts: Part[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    const strayClose = text.indexOf('}}', at);
    if (strayClose !== -1 && (open === -1 || strayClose < open))
      throw DomainError.invalid(
        'template_unopened',
        `The message has “}}” with no “{{” before it, at “${excerpt(text, Math.max(0, strayClose - 10))}”: write a variable as {{name}}, or remove the braces.`,
      );
    if (open === -1) {
      parts.push({ literal: text.slice(at) });
      break;
    }
    if (open > at) parts.push({ literal: text.slice(at, open) });
    const close = text.indexOf('}}', open + 2);
    const nextOpen = text.indexOf('{{', open + 2);
    if (close === -1 || (nextOpen !== -1 && nextOpen < close))
      throw DomainError.invalid(
        'template_unclosed',
        `The message has “{{” that is never closed, at “${excerpt(text, open)}”: close it with “}}”, e.g. {{name}}.`,
      );
    parts.push(placeholder(text.slice(open + 2, close)));
    at = close + 2;
  }
  return parts;
}

function placeholder(inside: string): Part {
  const bar = inside.indexOf('|');
  const name = (bar === -1 ? inside : inside.slice(0, bar)).trim();
  if (!name)
    throw DomainError.invalid(
      'template_empty',
      `The message has an empty “{{${inside}}}”: name a variable in it; this app knows ${KNOWN}.`,
    );
  if (!isVariable(name))
    throw DomainError.invalid(
      'template_unknown_variable',
      `The message uses {{${name}}}, which this app cannot fill in: it knows ${KNOWN}.`,
    );
  return { variable: name, fallback: bar === -1 ? null : inside.slice(bar + 1).trim() };
}

/** Whether anything in the text differs per recipient. */
export const isPersonal = (t: Template): boolean => t.some((p) => 'variable' in p);

/** The first word of a display name ("Zoë Ångström" → "Zoë"); '' when it has none. */
export const firstName = (name: string): string => name.trim().split(/\s+/u)[0] ?? '';

function valueOf(variable: TemplateVariable, c: TemplateContact): string {
  return variable === 'name' ? c.name.trim() : firstName(c.name);
}

/** The text one recipient receives. */
export function renderTemplate(t: Template, c: TemplateContact): string {
  return t
    .map((p) => {
      if ('literal' in p) return p.literal;
      return valueOf(p.variable, c) || (p.fallback ?? (c.handle.trim() || c.externalId));
    })
    .join('');
}
