/**
 * The one way the console makes elements. Children are nodes or text: a string always becomes
 * a text node, so log values are shown as text, never parsed as HTML. Attributes named on* are
 * refused (handlers go through `on`), and nothing here touches innerHTML.
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attrs {
  readonly class?: string;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
  /** Properties set directly (value, checked, disabled, ...). */
  readonly props?: Readonly<Record<string, unknown>>;
  readonly [attr: string]: unknown;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (attrs === undefined) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v as Record<string, EventListener>)) el.addEventListener(ev, fn);
    } else if (k === 'props') {
      Object.assign(el, v);
    } else if (v !== undefined && v !== null && v !== false) {
      if (/^on/i.test(k) || k === 'style') throw new Error(`attribute ${k} is not allowed`);
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export const num = (n: number): string => n.toLocaleString('en-US');
