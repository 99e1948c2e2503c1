import { html, nothing, type TemplateResult } from 'lit';

/**
 * A small Markdown renderer for plugin READMEs that builds Lit templates instead of HTML strings:
 * every piece of text is bound as text, so HTML in a README is shown, never interpreted. It covers
 * headings, paragraphs, fenced code, lists, block quotes, rules, and inline code, bold, italics and
 * http(s) links.
 */
export function renderMarkdown(source: string): TemplateResult {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: TemplateResult[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const fence = /^```\s*([\w-]*)/.exec(line);
    if (fence) {
      const code: string[] = [];
      index++;
      while (index < lines.length && !lines[index]!.startsWith('```')) code.push(lines[index++]!);
      index++;
      blocks.push(html`<pre class="md-code"><code data-lang=${fence[1] || nothing}>${code.join('\n')}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push(headingTemplate(heading[1]!.length, inline(heading[2]!)));
      index++;
      continue;
    }
    if (/^\s*([-*_])\s*\1\s*\1[\s\-*_]*$/.test(line)) {
      blocks.push(html`<hr />`);
      index++;
      continue;
    }
    if (/^\s*[-*+]\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line)) {
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const items: TemplateResult[][] = [];
      while (index < lines.length && (ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/).test(lines[index]!)) {
        let item = lines[index]!.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '');
        index++;
        // Indented lines continue the item.
        while (index < lines.length && /^\s{2,}\S/.test(lines[index]!) && !/^\s*(?:[-*+]|\d+[.)])\s+/.test(lines[index]!)) item += ` ${lines[index++]!.trim()}`;
        items.push(inline(item));
      }
      const children = items.map((item) => html`<li>${item}</li>`);
      blocks.push(ordered ? html`<ol>${children}</ol>` : html`<ul>${children}</ul>`);
      continue;
    }
    if (line.startsWith('>')) {
      const quoted: string[] = [];
      while (index < lines.length && lines[index]!.startsWith('>')) quoted.push(lines[index++]!.replace(/^>\s?/, ''));
      blocks.push(html`<blockquote>${inline(quoted.join(' '))}</blockquote>`);
      continue;
    }
    if (line.trim() === '') {
      index++;
      continue;
    }
    const paragraph: string[] = [];
    while (index < lines.length && lines[index]!.trim() !== '' && !/^(#{1,6}\s|```|>|\s*[-*+]\s+|\s*\d+[.)]\s+)/.test(lines[index]!)) paragraph.push(lines[index++]!);
    blocks.push(html`<p>${inline(paragraph.join(' '))}</p>`);
  }
  return html`${blocks}`;
}

function headingTemplate(level: number, content: TemplateResult[]): TemplateResult {
  switch (level) {
    case 1: return html`<h1>${content}</h1>`;
    case 2: return html`<h2>${content}</h2>`;
    case 3: return html`<h3>${content}</h3>`;
    case 4: return html`<h4>${content}</h4>`;
    case 5: return html`<h5>${content}</h5>`;
    default: return html`<h6>${content}</h6>`;
  }
}

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/;

/** Inline spans as templates; link targets other than http(s) are shown as plain text. */
export function inline(text: string): TemplateResult[] {
  const parts: TemplateResult[] = [];
  let rest = text;
  while (rest.length > 0) {
    const match = INLINE.exec(rest);
    if (!match) {
      parts.push(html`${rest}`);
      break;
    }
    if (match.index > 0) parts.push(html`${rest.slice(0, match.index)}`);
    const token = match[0];
    if (match[1]) parts.push(html`<code>${token.slice(1, -1)}</code>`);
    else if (match[2]) parts.push(html`<strong>${inline(token.slice(2, -2))}</strong>`);
    else if (match[3]) parts.push(html`<em>${inline(token.slice(1, -1))}</em>`);
    else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!;
      const href = link[2]!;
      parts.push(/^https?:\/\//i.test(href)
        ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${link[1]}</a>`
        : html`${link[1]}`);
    }
    rest = rest.slice(match.index + token.length);
  }
  return parts;
}
