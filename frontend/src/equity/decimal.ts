// Decimal strings from the register ("1.500000"). Amounts never become JS
// numbers: arithmetic runs on BigInt minor units, display is string work.

export const UNIT_SCALE = 6;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string into minor units at `scale`; null if malformed or too precise. */
export function parseDecimal(s: string, scale = UNIT_SCALE): bigint | null {
  const m = DECIMAL.exec(s.trim());
  if (!m) return null;
  const [, sign, int, frac = ''] = m;
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) return null;
  const v = BigInt(int + frac.slice(0, scale).padEnd(scale, '0'));
  return sign === '-' ? -v : v;
}

/** Minor units → fixed decimal string ("-1.500000"). */
export function formatDecimal(v: bigint, scale = UNIT_SCALE): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return (neg ? '-' : '') + int + (scale > 0 ? '.' + frac : '');
}

/** An integer count of minor units (as the register's governance rows carry them) → decimal string. */
export function minorToDecimal(n: number | string | null | undefined, scale = UNIT_SCALE): string {
  if (n === null || n === undefined || n === '') return formatDecimal(0n, scale);
  const s = String(n);
  if (!/^-?\d+$/.test(s)) return s;
  return formatDecimal(BigInt(s), scale);
}

/** Inserts thousands separators into a decimal string: "1234567.5" → "1,234,567.5". */
export function groupThousands(s: string, sep = ','): string {
  const m = DECIMAL.exec(s.trim());
  if (!m) return s;
  const [, sign, int, frac] = m;
  let out = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += sep;
    out += int[i];
  }
  return (sign === '-' ? '-' : '') + out + (frac !== undefined ? '.' + frac : '');
}

/** Display form of an amount as given by the server: grouped, sign kept. */
export function fmtAmount(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '—';
  return groupThousands(s);
}

/** "+1.000000" for credits, "-0.500000" for debits, "0.000000" for zero. */
export function signedAmount(s: string): string {
  const v = parseDecimal(s, 18);
  if (v === null) return s;
  const g = groupThousands(s.replace(/^\+/, ''));
  return v > 0n ? '+' + g : g;
}

export function isZero(s: string | null | undefined): boolean {
  if (!s) return true;
  const v = parseDecimal(s, 18);
  return v === null || v === 0n;
}

/** Sum of decimal strings at `scale` (malformed entries count as zero). */
export function sumDecimals(values: readonly (string | null | undefined)[], scale = UNIT_SCALE): string {
  let t = 0n;
  for (const v of values) if (v) t += parseDecimal(v, scale) ?? 0n;
  return formatDecimal(t, scale);
}

export function compareDecimals(a: string, b: string, scale = UNIT_SCALE): number {
  const x = parseDecimal(a, scale) ?? 0n;
  const y = parseDecimal(b, scale) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** amount × bp / 10000 rounded up (the transfer fee rule), as a decimal string. */
export function feeFor(amount: string, bp: number, scale = UNIT_SCALE): string | null {
  const v = parseDecimal(amount, scale);
  if (v === null) return null;
  const b = BigInt(Math.trunc(bp));
  const num = v * b;
  let fee = num / 10000n;
  if (num % 10000n !== 0n && num > 0n) fee += 1n;
  return formatDecimal(fee, scale);
}

/** Basis points → "2.5%" (integer maths on an integer). */
export function bpToPercent(bp: number | null | undefined): string {
  if (bp === null || bp === undefined || !Number.isFinite(bp)) return '—';
  const v = BigInt(Math.trunc(bp));
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = (a / 100n).toString();
  const frac = (a % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? '.' + frac : ''}%`;
}

/** A fraction string ("0.123456") → percentage string ("12.3456%"), by moving the point. */
export function fractionToPercent(s: string | null | undefined): string {
  if (!s) return '—';
  const m = DECIMAL.exec(s.trim());
  if (!m) return s;
  const [, sign, int, frac = ''] = m;
  const f = frac.padEnd(2, '0');
  const whole = (int + f.slice(0, 2)).replace(/^0+(?=\d)/, '');
  const rest = f.slice(2).replace(/0+$/, '');
  return `${sign === '-' ? '-' : ''}${whole}${rest ? '.' + rest : ''}%`;
}

/** The model id of a unit code "unit:7", or null for currencies. */
export function modelOfUnit(unit: string): number | null {
  const m = /^unit:(\d+)$/.exec(unit);
  return m ? Number(m[1]) : null;
}

/** A decimal string at `places` decimals, rounded half away from zero ("1.234567" → "1.23"). */
export function toPlaces(s: string, places = 2, scale = UNIT_SCALE): string {
  const v = parseDecimal(s, scale);
  if (v === null) return s;
  const step = 10n ** BigInt(scale - places);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const r = ((a + step / 2n) / step) * (neg ? -1n : 1n);
  return formatDecimal(r, places);
}
