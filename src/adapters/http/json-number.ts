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
