/**
 * Text that reaches a terminal: anything read from the API (commit messages, authors, approval
 * comments, error details) may hold control characters that move the cursor, erase lines or change
 * colors. Text renderers and prompts pass such values through these functions; JSON output stays
 * raw (JSON escapes them).
 */

/** What a control character becomes. */
export const REPLACEMENT = '\uFFFD';

/**
 * C0 controls except tab and newline, DEL and C1 controls (ESC included), and the Unicode
 * direction controls (embeddings, overrides, isolates, marks), which reorder how the rest of a
 * line reads on screen.
 */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A value shown on one line: tabs and newlines become spaces, other control characters `�`. */
export function safeLine(text: string | undefined): string {
  return String(text ?? '').replace(/[\t\n]/g, ' ').replace(CONTROL, REPLACEMENT);
}

/** Text whose line breaks are kept (tabs too); other control characters become `�`. */
export function safeText(text: string | undefined): string {
  return String(text ?? '').replace(CONTROL, REPLACEMENT);
}

/**
 * `text` cut to at most `max` characters, ending with `…` when cut. Characters are code points, so
 * a character outside the Basic Multilingual Plane (an emoji, written as a UTF-16 surrogate pair)
 * is kept or left out whole, never split into a lone surrogate.
 */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, Math.max(0, max - 1)).join('') + '…' : text;
}
