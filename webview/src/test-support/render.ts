import type { LitElement } from 'lit';

/** Lets pending promises, timers of 0 ms and Lit updates run, a few rounds deep. */
export async function settle(element?: LitElement, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (element) await element.updateComplete;
  }
}

/** Creates `tag`, sets `props`, attaches it to the document and waits for it to settle. */
export async function mount<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}): Promise<HTMLElementTagNameMap[K]> {
  const element = document.createElement(tag);
  Object.assign(element, props);
  document.body.append(element);
  await settle(element as unknown as LitElement);
  return element;
}

/** The visible text of an element's shadow root (whitespace collapsed). */
export function textOf(element: Element): string {
  const root = element.shadowRoot ?? element;
  return (root.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** One element in the shadow root, or a failure naming the selector. */
export function $<K extends keyof HTMLElementTagNameMap>(element: Element, selector: K): HTMLElementTagNameMap[K];
export function $<E extends Element = HTMLElement>(element: Element, selector: string): E;
export function $<E extends Element = HTMLElement>(element: Element, selector: string): E {
  const found = (element.shadowRoot ?? element).querySelector<E>(selector);
  if (!found) throw new Error(`no ${selector} in <${element.tagName.toLowerCase()}>`);
  return found;
}

/** Every element matching `selector` in the shadow root. */
export function $$<K extends keyof HTMLElementTagNameMap>(element: Element, selector: K): HTMLElementTagNameMap[K][];
export function $$<E extends Element = HTMLElement>(element: Element, selector: string): E[];
export function $$<E extends Element = HTMLElement>(element: Element, selector: string): E[] {
  return [...(element.shadowRoot ?? element).querySelectorAll<E>(selector)];
}

/** The text of each cell of the first row of `tbody` under `selector`. */
export function cells(element: Element, selector: string): string[] {
  return $$(element, `${selector} tr:first-child td`).map((cell) => textOf(cell));
}
