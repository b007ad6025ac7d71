/**
 * `text` cut to at most `maxChars` UTF-16 units, the cut marked with `…`. Never between the two halves of a surrogate
 * pair: a log line or an error detail would otherwise end in half a character (an emoji in a device id, say).
 */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = Math.max(0, maxChars - 1);
  const last = text.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--; // a high surrogate whose low half would be cut off
  return `${text.slice(0, cut)}…`;
}
