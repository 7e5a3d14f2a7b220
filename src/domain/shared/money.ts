import { MoneyErrors } from './money.errors.ts';

/** The largest amount `numeric(15,2)` holds: 13 integer digits and 2 decimals, in minor units. */
export const MAX_MINOR = 999_999_999_999_999n;

const DECIMAL = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/**
 * An IDR amount in integer minor units (sen). Never a JavaScript float: parsing goes straight
 * from the decimal text to a bigint, and formatting goes back the same way.
 */
export class Money {
  readonly minor: bigint;
  readonly currency: 'IDR';

  private constructor(minor: bigint) {
    if (minor < 0n) throw MoneyErrors.negativeAmount();
    if (minor > MAX_MINOR) throw MoneyErrors.amountTooLarge();
    this.minor = minor;
    this.currency = 'IDR';
  }

  static zero(): Money {
    return new Money(0n);
  }

  static ofMinor(minor: bigint): Money {
    return new Money(minor);
  }

  /** Parses "10000", "10000.5", "10000.50"; refuses signs, exponents, more than two decimals, more than 13 integer digits. */
  static parse(text: string): Money {
    const m = DECIMAL.exec(text);
    if (!m) throw MoneyErrors.invalidAmount('amount must be a decimal with at most 2 decimals and 13 integer digits');
    const whole = BigInt(m[1] ?? '0');
    const frac = BigInt((m[2] ?? '').padEnd(2, '0'));
    return new Money(whole * 100n + frac);
  }

  /**
   * A client's amount as text: a decimal string (trimmed) — the HTTP layer hands over a JSON
   * number's source text the same way. A JavaScript number is refused: by the time an amount is a
   * float, `10000.0000000000000001` has already become 10000 and can no longer be told apart.
   */
  static fromInput(value: unknown): Money {
    if (typeof value === 'string') return Money.parse(value.trim());
    throw MoneyErrors.invalidAmount('amount must be decimal text (a JSON number is read from its source text)');
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  plus(other: Money): Money {
    return new Money(this.minor + other.minor);
  }

  /** Throws INSUFFICIENT_FUNDS rather than produce a negative amount. */
  minus(other: Money): Money {
    if (other.minor > this.minor) throw MoneyErrors.insufficientFunds();
    return new Money(this.minor - other.minor);
  }

  compare(other: Money): -1 | 0 | 1 {
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  gte(other: Money): boolean {
    return this.minor >= other.minor;
  }

  equals(other: Money): boolean {
    return this.minor === other.minor;
  }

  /** "10000.00": the text that goes to the API and to `numeric(15,2)`. */
  toString(): string {
    const whole = this.minor / 100n;
    const frac = (this.minor % 100n).toString().padStart(2, '0');
    return `${whole}.${frac}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A signed change in minor units as decimal text: -1050n → "-10.50" (Money itself is never negative). */
export function signedMinorText(delta: bigint): string {
  const amount = Money.ofMinor(delta < 0n ? -delta : delta).toString();
  return delta < 0n ? `-${amount}` : amount;
}
