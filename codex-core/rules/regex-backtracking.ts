interface Atom {
  text: string;
  /** Repeats without bound. */
  unbounded: boolean;
  /** Has any quantifier (so it is not a mandatory single occurrence). */
  quantified: boolean;
  /** A nested group (whose content is not looked into further). */
  group: boolean;
}

interface Group {
  /** Some atom inside repeats without bound (`*`, `+`, `{n,}`), at any depth. */
  unbounded: boolean;
  /** The text of each alternative so far. */
  alternatives: string[];
  /** The direct atoms of the current alternative. */
  atoms: Atom[];
  start: number;
}

/** Reads a quantifier at `index`: its length and whether it is unbounded; `undefined` when there is none. */
function quantifierAt(pattern: string, index: number): { length: number; unbounded: boolean } | undefined {
  const char = pattern[index];
  let length = 0;
  let unbounded = false;
  if (char === '*' || char === '+') {
    length = 1;
    unbounded = true;
  } else if (char === '?') {
    length = 1;
  } else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
    if (!match) return undefined;
    length = match[0].length;
    unbounded = match[2] !== undefined && (match[3] === '' || Number(match[3]) > 100);
  } else {
    return undefined;
  }
  // A lazy or possessive marker belongs to the quantifier.
  if (pattern[index + length] === '?') length++;
  return { length, unbounded };
}

/**
 * The characters a mandatory single-character atom can match: one literal (`\.` → `.`), or a class
 * that lists its characters one by one (`['’-]`, `[,;]`; no ranges, escapes of letters or negation).
 */
function charactersOf(atom: Atom | undefined): string[] | undefined {
  if (!atom || atom.quantified || atom.group) return undefined;
  const { text } = atom;
  if (text.length === 1 && text !== '.' && text !== '^' && text !== '$') return [text];
  if (text.length === 2 && text[0] === '\\' && !/[dwsDWSbBnrtfvpPkcx0-9u]/.test(text[1]!)) return [text[1]!];
  if (!text.startsWith('[') || text.startsWith('[^') || !text.endsWith(']')) return undefined;
  const characters: string[] = [];
  const body = [...text.slice(1, -1)];
  for (let index = 0; index < body.length; index++) {
    let character = body[index]!;
    if (character === '\\') {
      character = body[++index] ?? '';
      if (/[A-Za-z0-9]/.test(character)) return undefined;
    } else if (character === '-' && index > 0 && index < body.length - 1) {
      return undefined;
    } else if (character === '[') {
      return undefined;
    }
    characters.push(character);
  }
  return characters.length > 0 ? characters : undefined;
}

/** Whether `atom` can match `char`, read with the pattern's flags (`\p{L}` means letters only with `u`). */
function canMatch(atom: Atom, char: string, flags: string): boolean {
  if (atom.group) return true;
  try {
    return new RegExp(`^(?:${atom.text})$`, flags).test(char);
  } catch {
    return true;
  }
}

/**
 * A repeated group whose every iteration starts or ends with a separator that none of its repeated
 * atoms can match (`([a-z]+\.)+`, `(&\w+=\w+)*`, `(?:['’-][\p{L}\p{N}]+)*` with `u`) splits the
 * input one way only: no blow-up.
 */
function hasSeparator(atoms: readonly Atom[], flags: string): boolean {
  const repeated = atoms.filter((atom) => atom.unbounded || atom.group);
  for (const separator of [charactersOf(atoms[0]), charactersOf(atoms[atoms.length - 1])]) {
    if (separator !== undefined && !separator.some((char) => repeated.some((atom) => canMatch(atom, char, flags)))) return true;
  }
  // A separator inside the group splits it one way too, when no other atom can match its characters
  // (so each iteration holds exactly one) and the atoms before it, or after it, are fixed text (so
  // each iteration starts, or ends, a known distance from it): `(product:[\w-]+,?)+`, found in a
  // Ghost migration.
  const fixed = (part: readonly Atom[]): boolean => part.every((atom) => !atom.quantified && !atom.group);
  for (let index = 1; index < atoms.length - 1; index++) {
    const separator = charactersOf(atoms[index]);
    if (separator === undefined) continue;
    const others = atoms.filter((_, other) => other !== index);
    if (separator.some((char) => others.some((atom) => canMatch(atom, char, flags)))) continue;
    if (fixed(atoms.slice(0, index)) || fixed(atoms.slice(index + 1))) return true;
  }
  return false;
}

/**
 * Finds the shapes of regular expression that backtrack exponentially: a group that repeats without
 * bound and contains an atom that repeats without bound (`(a+)+`, `(\w+\s?)*`) unless a separator
 * splits the iterations, or whose alternatives can match the same text (`(a|a)*`, `(\d|\w)+`).
 * Such a group at the very end of the pattern is safe: nothing after it can fail and force the
 * engine to try the other ways of splitting the input (`/(?:[^ "]+|"[^"]*")+/g` tokenises in one pass).
 * Returns a description, or `undefined` when safe.
 */
export function findBacktracking(pattern: string, flags = ''): string | undefined {
  // Only the flags that change what a character class or escape matches.
  const matchFlags = [...flags].filter((flag) => flag === 'u' || flag === 'v' || flag === 'i').join('');
  const stack: Group[] = [{ unbounded: false, alternatives: [], atoms: [], start: 0 }];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    const top = stack[stack.length - 1]!;
    const atomStart = index;
    if (char === '\\') {
      index += 2;
    } else if (char === '[') {
      index++;
      if (pattern[index] === '^') index++;
      if (pattern[index] === ']') index++;
      while (index < pattern.length && pattern[index] !== ']') index += pattern[index] === '\\' ? 2 : 1;
      index++;
    } else if (char === '(') {
      let skip = 1;
      if (pattern[index + 1] === '?') {
        const named = /^\(\?(<[A-Za-z_$][\w$]*>|:|=|!|<=|<!)/.exec(pattern.slice(index));
        skip = named ? named[0].length : 2;
      }
      stack.push({ unbounded: false, alternatives: [], atoms: [], start: index + skip });
      index += skip;
      continue;
    } else if (char === '|') {
      top.alternatives.push(pattern.slice(top.start, index));
      top.start = index + 1;
      top.atoms = [];
      index++;
      continue;
    } else if (char === ')') {
      if (stack.length === 1) return undefined;
      const group = stack.pop()!;
      group.alternatives.push(pattern.slice(group.start, index));
      const groupText = pattern.slice(group.start, index);
      index++;
      const quantifier = quantifierAt(pattern, index);
      const parent = stack[stack.length - 1]!;
      // A repeated group that ends the pattern (nothing after it, at the top level) cannot be made to
      // fail after it matched: the first way of matching is taken, and no other is ever tried.
      const rest = quantifier ? pattern.slice(index + quantifier.length) : '';
      const endsPattern = stack.length === 1 && (rest === '' || rest.startsWith('|'));
      if (quantifier?.unbounded && !endsPattern) {
        const single = group.alternatives.length === 1;
        if (group.unbounded && !(single && hasSeparator(group.atoms, matchFlags))) {
          return `a repeated group contains a repeated atom: (${groupText})${pattern.slice(index, index + quantifier.length)}`;
        }
        const seen = new Set<string>();
        for (const alternative of group.alternatives) {
          if (seen.has(alternative)) return `a repeated group has identical alternatives: ${alternative}`;
          seen.add(alternative);
        }
        if (/(^|\|)\\d(\||$)/.test(group.alternatives.join('|')) && /(^|\|)\\w(\||$)/.test(group.alternatives.join('|'))) {
          return 'a repeated group has overlapping alternatives \\d and \\w';
        }
      }
      parent.unbounded ||= group.unbounded || Boolean(quantifier?.unbounded);
      parent.atoms.push({ text: groupText, unbounded: Boolean(quantifier?.unbounded), quantified: Boolean(quantifier), group: true });
      if (quantifier) index += quantifier.length;
      continue;
    } else {
      index++;
    }
    const text = pattern.slice(atomStart, index);
    const quantifier = quantifierAt(pattern, index);
    top.atoms.push({ text, unbounded: Boolean(quantifier?.unbounded), quantified: Boolean(quantifier), group: false });
    if (quantifier) {
      if (quantifier.unbounded) top.unbounded = true;
      index += quantifier.length;
    }
  }
  return undefined;
}
