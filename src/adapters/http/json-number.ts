import { z } from 'zod';

/**
 * A JSON number kept as the client wrote it. The body parser turns every number into one with
 * `JSON.rawJSON(source)` (Node 24's `JSON.parse` reviver hands over each primitive's source
 * text), so `10000.0000000000000001` is still those 22 characters when the amount is validated
 * instead of the float 10000. `JSON.stringify` writes it back byte for byte.
 */
export interface JsonNumber {
  readonly rawJSON: string;
}

// Not yet in TypeScript's es2023 library.
const Json = JSON as unknown as { rawJSON(text: string): JsonNumber; isRawJSON(value: unknown): value is JsonNumber };

export const jsonNumberOf = (source: string): JsonNumber => Json.rawJSON(source);
export const isJsonNumber = (value: unknown): value is JsonNumber => Json.isRawJSON(value);

/** The zod schema for a JSON number in a request body; documented as `number`. */
export const jsonNumber = z.custom<JsonNumber>(isJsonNumber, 'must be a number').meta({ type: 'number' });

/**
 * A JSON integer for counts and similar fields (never money: that is `amountField`). Use it
 * instead of `z.number()`, which never matches a request body's numbers since they are JsonNumbers.
 */
export const jsonInteger = jsonNumber.transform((n, ctx) => {
  const value = Number(n.rawJSON);
  if (/^-?(0|[1-9]\d*)$/.test(n.rawJSON) && Number.isSafeInteger(value)) return value;
  ctx.addIssue({ code: 'custom', message: 'must be an integer written without decimals or exponent' });
  return z.NEVER;
});
