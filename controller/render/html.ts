import { escapeHtml } from './escapeHtml.js';

/** Markup built by `html`: the only value interpolated without escaping. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template for HTML and SVG: every interpolated string or number is escaped, arrays are
 * joined, `SafeHtml` (from nested `html` calls) is kept. Report text can only ever become text.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Trusted constant markup (the stylesheet): never pass report data. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
