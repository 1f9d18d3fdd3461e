import { html, type SafeHtml } from './html.js';

/** A report section with the stable `id` and `data-testid` tests and links find it by. */
export function section(id: string, title: string, body: SafeHtml, intro?: string): SafeHtml {
  return html`<section id="${id}" data-testid="${id}" class="section">
<h2>${title}</h2>
${intro ? html`<p class="intro">${intro}</p>` : ''}
${body}
</section>
`;
}
