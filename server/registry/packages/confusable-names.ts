/**
 * Typosquatting guard: a new plugin id is refused when it reads like an existing one
 * (`@c0dex/text-stats` next to `@codex/text-stats`, `@acme/rnailer` next to `@acme/mailer`).
 */

/** Letters from other scripts that render like Latin ones. */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', һ: 'h', ԁ: 'd', ɡ: 'g', ο: 'o', α: 'a', ν: 'v', ι: 'i', κ: 'k', τ: 't',
};
/** Digits and symbols that read as letters. */
const LOOKALIKES: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '5': 's', '7': 't', '$': 's', '|': 'i', '!': 'i' };

/**
 * The reading of an id used to compare ids: lower-cased, accents and other scripts' look-alikes
 * folded, `@`, `/`, `-`, `_`, `.` and spaces removed, look-alike digits mapped to letters, `rn` → `m`,
 * `vv` → `w`, and `l` → `i` (an `l` and an `I` look the same in many fonts).
 */
export function normalisePluginName(id: string): string {
  const folded = id
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  let out = '';
  for (const char of folded) out += HOMOGLYPHS[char] ?? LOOKALIKES[char] ?? char;
  return out
    .replace(/[@/\-_.\s]/g, '')
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/l/g, 'i');
}

/**
 * The existing id `newId` could be mistaken for, if any: the same normalised reading, or (when both
 * names, without their namespace, normalise to at least 5 characters) normalised ids one edit
 * apart. The exact same id is not a confusion (that is a new version, not a new plugin).
 */
export function findConfusable(newId: string, existingIds: Iterable<string>): string | undefined {
  const candidate = normalisePluginName(newId);
  const candidateName = normalisePluginName(namePart(newId));
  let near: string | undefined;
  for (const existing of existingIds) {
    if (existing === newId) continue;
    const other = normalisePluginName(existing);
    if (other === candidate) return existing;
    if (near === undefined && candidateName.length >= 5 && normalisePluginName(namePart(existing)).length >= 5 && withinOneEdit(candidate, other)) {
      near = existing;
    }
  }
  return near;
}

function namePart(id: string): string {
  const slash = id.indexOf('/');
  return slash === -1 ? id : id.slice(slash + 1);
}

/** Whether two strings are at most one insertion, deletion or substitution apart. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < short.length && j < long.length) {
    if (short[i] === long[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (short.length === long.length) i += 1;
    j += 1;
  }
  return edits + (long.length - j) + (short.length - i) <= 1;
}
