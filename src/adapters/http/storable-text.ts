import type { Middleware } from 'koa';
import type { DomainError } from '../../domain/shared/domain-error.ts';
import { HttpErrors } from './http.errors.ts';

// PostgreSQL cannot store U+0000 in text (it answers 08P01 or 22021), and a lone UTF-16 surrogate
// has no UTF-8 form (the driver would silently turn it into U+FFFD). Both are refused at the edge.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

export function unstorableText(field: string): DomainError {
  return HttpErrors.unsupportedCharacter('text may not contain U+0000 or unpaired surrogates', {
    errors: [{ field, message: 'contains U+0000 or an unpaired surrogate' }],
  });
}

/**
 * The router-side half of the guard (the body parser is the other): every query-string key and
 * value and the decoded path (where path parameters come from) must be storable text, for every
 * route at once rather than per field.
 */
export function refuseUnstorableInput(): Middleware {
  return async (ctx, next) => {
    if (!isStorableText(decodedPath(ctx.path))) throw unstorableText('(path)');
    for (const [key, value] of Object.entries(ctx.query)) {
      if (!isStorableText(key)) throw unstorableText('(query)');
      for (const v of Array.isArray(value) ? value : [value ?? '']) if (!isStorableText(v)) throw unstorableText(key);
    }
    await next();
  };
}

/** The path as the router decodes it for its parameters; undecodable text stays as sent (percent signs are storable). */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
