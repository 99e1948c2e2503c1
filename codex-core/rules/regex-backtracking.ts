interface Group {
  /** Some atom inside repeats without bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
  /** The text of each alternative so far. */
  alternatives: string[];
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
 * Finds the shapes of regular expression that backtrack exponentially: a group that repeats without
 * bound and contains an atom that repeats without bound (`(a+)+`, `(\w+\s?)*`), or whose alternatives
 * can match the same text (`(a|a)*`, `(\d|\w)+`). Returns a description, or `undefined` when safe.
 */
export function findBacktracking(pattern: string): string | undefined {
  const stack: Group[] = [{ unbounded: false, alternatives: [], start: 0 }];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    const top = stack[stack.length - 1]!;
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
      stack.push({ unbounded: false, alternatives: [], start: index + skip });
      index += skip;
      continue;
    } else if (char === '|') {
      top.alternatives.push(pattern.slice(top.start, index));
      top.start = index + 1;
      index++;
      continue;
    } else if (char === ')') {
      if (stack.length === 1) return undefined;
      const group = stack.pop()!;
      group.alternatives.push(pattern.slice(group.start, index));
      index++;
      const quantifier = quantifierAt(pattern, index);
      const parent = stack[stack.length - 1]!;
      if (quantifier?.unbounded) {
        if (group.unbounded) return `a repeated group contains a repeated atom: ${pattern.slice(Math.max(0, group.start - 1), index + quantifier.length)}`;
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
      if (quantifier) index += quantifier.length;
      continue;
    } else {
      index++;
    }
    const quantifier = quantifierAt(pattern, index);
    if (quantifier) {
      if (quantifier.unbounded) top.unbounded = true;
      index += quantifier.length;
    }
  }
  return undefined;
}
