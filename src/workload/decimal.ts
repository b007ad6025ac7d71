// A number as a trace writes one: decimal digits, an optional sign, fraction and exponent. Number() alone also reads
// '0x10' as 16, '0b11' as 3, '0o7' as 7 and '' as 0, none of which a column of times, rates or sizes means.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of a decimal number field (already trimmed), or null when the field is not one or is not finite. */
export function decimalOf(field: string | undefined): number | null {
  if (field === undefined || !DECIMAL.test(field)) return null;
  const value = Number(field);
  return Number.isFinite(value) ? value : null;
}
