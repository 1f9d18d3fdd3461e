/** Longest piece of a caller's input an error message quotes. */
export const MAX_QUOTED_CHARS = 60;

/**
 * A caller's input as an error message quotes it: JSON-quoted (so a newline or a control character
 * cannot break the message's one line) and clipped, so a 60 KiB value is not echoed back, nor
 * written into every log and audit line.
 */
export function quoteClipped(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= MAX_QUOTED_CHARS) return text;
  return `${text.slice(0, MAX_QUOTED_CHARS)}… (${text.length} characters)`;
}
