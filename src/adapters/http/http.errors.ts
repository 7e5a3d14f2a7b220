import { DomainError } from '../../domain/shared/domain-error.ts';

/** The HTTP edge's refusals of a request before any use case sees it. */
export const HttpErrors = {
  malformedJson: () => new DomainError('MALFORMED_JSON', 'invalid', 'request body is not valid UTF-8 JSON'),
  jsonTooDeep: (message: string) => new DomainError('JSON_TOO_DEEP', 'invalid', message),
  unsupportedCharacter: (message: string, details?: DomainError['details']) => new DomainError('UNSUPPORTED_CHARACTER', 'invalid', message, details),
  originNotAllowed: () =>
    new DomainError(
      'ORIGIN_NOT_ALLOWED',
      'forbidden',
      'a cookie-authenticated write needs a same-origin Origin or Sec-Fetch-Site; other clients send Authorization: Bearer',
    ),
};
