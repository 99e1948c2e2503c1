/**
 * Include/exclude patterns on plugin ids: `*` stands for any run of characters (`@codex/*`,
 * `@acme/weather-*`), `?` for one; everything else matches itself. An empty include list takes
 * every id; an exclude wins over an include.
 */
export function matchesPattern(id: string, pattern: string): boolean {
  const source = pattern.split('').map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`).test(id);
}

/** Whether an upstream with these patterns provides `id`. */
export function isSelected(id: string, include: readonly string[], exclude: readonly string[]): boolean {
  if (exclude.some((pattern) => matchesPattern(id, pattern))) return false;
  return include.length === 0 || include.some((pattern) => matchesPattern(id, pattern));
}
