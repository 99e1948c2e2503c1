// @vitest-environment happy-dom
import { render } from 'lit';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

function toDom(markdown: string): HTMLElement {
  const host = document.createElement('div');
  render(renderMarkdown(markdown), host);
  return host;
}

describe('renderMarkdown', () => {
  it('renders headings, lists, code, quotes and inline spans', () => {
    const dom = toDom('# Title\n\nSome **bold**, *em* and `code`.\n\n- one\n- two\n\n1. first\n\n> quoted\n\n```js\nconst x = 1;\n```\n\n---');
    expect(dom.querySelector('h1')?.textContent).toBe('Title');
    expect(dom.querySelector('p strong')?.textContent).toBe('bold');
    expect(dom.querySelector('p em')?.textContent).toBe('em');
    expect(dom.querySelector('p code')?.textContent).toBe('code');
    expect([...dom.querySelectorAll('ul li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(dom.querySelector('ol li')?.textContent).toBe('first');
    expect(dom.querySelector('blockquote')?.textContent).toBe('quoted');
    expect(dom.querySelector('pre code')?.textContent).toBe('const x = 1;');
    expect(dom.querySelectorAll('hr')).toHaveLength(1);
  });

  it('renders code inside bold text and continues indented list items', () => {
    const dom = toDom('- **`entry` (`index.js`)** runs in the sandbox and\n  returns a series\n- second');
    expect([...dom.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['entry (index.js) runs in the sandbox and returns a series', 'second']);
    expect([...dom.querySelectorAll('li strong code')].map((code) => code.textContent)).toEqual(['entry', 'index.js']);
  });

  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
  ])('shows %s as text, never as markup', (payload) => {
    const dom = toDom(`Hello ${payload}`);
    expect(dom.querySelectorAll('script, img, a')).toHaveLength(0);
    expect(dom.textContent).toContain(payload);
  });

  it('links only http(s) targets, opening them in a new context without an opener', () => {
    const dom = toDom('[safe](https://example.com) and [bad](javascript:alert(1))');
    const links = [...dom.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com']);
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(dom.textContent).toContain('bad');
  });
});
