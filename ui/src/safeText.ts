/**
 * How untrusted text (service, operation and attribute names, values, log
 * bodies) is shown: characters that display nothing or change how the text
 * around them displays become visible escapes such as `\u202E`.
 * `evil\u202Egnp.exe` would otherwise read as "evilexe.png". Every renderer
 * goes through here: `h()`/`append()` for DOM text, `visibleText` for
 * attribute values, tooltips and SVG text.
 */

/**
 * Controls (C0, DEL, C1), format characters (bidi embeddings, overrides,
 * isolates and marks, zero-width characters, word joiner, BOM, soft hyphen,
 * tag characters …), line and paragraph separators, lone surrogates, and the
 * Hangul fillers that are letters but draw nothing.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115F\u1160\u3164\uFFA0]/gu;
/** Tab and line breaks: whitespace that multi-line text (log bodies, stack traces) may keep. */
const BREAKS = new Set([0x09, 0x0a, 0x0d]);

export interface VisibleOptions {
  /** Keep tab, LF and CR as they are (text shown with its line breaks); names escape them too. */
  keepBreaks?: boolean;
}

const NAMES: Record<number, string> = {
  0x00ad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** `\u202E` for a BMP character, `\u{E0041}` beyond it (uppercase hex). */
export function escapeOf(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase();
  return cp > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/** What a hidden character is, for the tooltip of its escape. */
export function describeHidden(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  const name = NAMES[cp] ?? (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? 'control character' : 'invisible character');
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${name}`;
}

function isKept(char: string, opts: VisibleOptions): boolean {
  return opts.keepBreaks === true && BREAKS.has(char.charCodeAt(0));
}

/** True when `text` holds a character that would be shown as an escape. */
export function hasHidden(text: string, opts: VisibleOptions = {}): boolean {
  for (const m of text.matchAll(HIDDEN)) if (!isKept(m[0], opts)) return true;
  return false;
}

/** `text` with every hidden character replaced by its escape: for attribute values, tooltips, SVG text. */
export function visibleText(text: string, opts: VisibleOptions = {}): string {
  return text.replace(HIDDEN, (c) => (isKept(c, opts) ? c : escapeOf(c)));
}

/** Pieces of `text`: plain runs and hidden characters, in order. */
export function splitHidden(text: string, opts: VisibleOptions = {}): Array<{ text: string; hidden: boolean }> {
  const out: Array<{ text: string; hidden: boolean }> = [];
  let at = 0;
  for (const m of text.matchAll(HIDDEN)) {
    if (isKept(m[0], opts)) continue;
    const i = m.index ?? 0;
    if (i > at) out.push({ text: text.slice(at, i), hidden: false });
    out.push({ text: m[0], hidden: true });
    at = i + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), hidden: false });
  return out;
}

/**
 * `text` as DOM: a text node when nothing is hidden, otherwise text nodes with
 * each hidden character as a `<span class="hidden-char">` showing its escape.
 */
export function visibleNodes(text: string, opts: VisibleOptions = {}): Node {
  if (!hasHidden(text, opts)) return document.createTextNode(text);
  const frag = document.createDocumentFragment();
  for (const piece of splitHidden(text, opts)) {
    if (!piece.hidden) {
      frag.appendChild(document.createTextNode(piece.text));
      continue;
    }
    const mark = document.createElement('span');
    mark.className = 'hidden-char';
    mark.title = describeHidden(piece.text);
    mark.textContent = escapeOf(piece.text);
    frag.appendChild(mark);
  }
  return frag;
}

/** At most `max` UTF-16 units, the last one an ellipsis when cut; never splits a surrogate pair. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** A label for SVG text or a <select> option, where CSS cannot cut: escaped, then clipped to `max` characters. */
export function shortLabel(text: string, max: number): string {
  return clipText(visibleText(text), max);
}
