import { describe, expect, it } from 'vitest';
import { languageOf, tokenize } from './highlight';

describe('tokenize', () => {
  it.each([
    ['export async function f(a) { return a ?? "x"; } // done', 'js'],
    ['{ "a": [1, 2.5e3, true, null] }', 'json'],
    ['CREATE TABLE notes (id serial PRIMARY KEY); -- x', 'sql'],
    ['const s = `multi\nline`; /* block\ncomment */', 'js'],
  ])('loses no text of %j', (source, language) => {
    expect(tokenize(source, language).map((token) => token.text).join('')).toBe(source);
  });

  it('classifies keywords, strings, numbers, literals and comments', () => {
    const kinds = tokenize('const a = "s"; // c\nreturn 1 || null;').filter((t) => t.kind !== 'plain' && t.kind !== 'punctuation').map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual(['keyword:const', 'string:"s"', 'comment:// c', 'keyword:return', 'number:1', 'literal:null']);
  });

  it.each([['index.js', 'js'], ['plugin.json', 'json'], ['README.md', 'md'], ['001.up.sql', 'sql'], ['Makefile', 'js']])('%s is %s', (path, language) => {
    expect(languageOf(path)).toBe(language);
  });
});
