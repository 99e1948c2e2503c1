/** Waits `ms` (a number, or read at each call) after the last call before running `fn` (search as you type). */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number | (() => number)): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; fn(...args); }, typeof ms === 'number' ? ms : ms());
  };
  debounced.cancel = () => { if (timer !== undefined) clearTimeout(timer); timer = undefined; };
  return debounced;
}
