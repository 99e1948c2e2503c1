import { html, type TemplateResult } from 'lit';

/** A unified diff coloured line by line (added, removed, hunk headers). */
export function renderPatch(patch: string): TemplateResult {
  const lines = patch.split('\n');
  return html`<pre class="patch" role="region" aria-label="diff">${lines.map((line) => {
    if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')) return html`<span class="diff-hunk">${line}</span>`;
    if (line.startsWith('+')) return html`<span class="diff-add">${line}</span>`;
    if (line.startsWith('-')) return html`<span class="diff-del">${line}</span>`;
    return html`<span class="diff-ctx">${line || ' '}</span>`;
  })}</pre>`;
}
