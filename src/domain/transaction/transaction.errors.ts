import { DomainError } from '../shared/domain-error.ts';

/** INVALID_RANGE's one constructor: which bound is wrong, and why. */
const invalidRange = (message: string, field: 'from' | 'to', why: string) =>
  new DomainError('INVALID_RANGE', 'invalid', message, { errors: [{ field, message: why }] });

/** The read side's refusals: bad ranges and cursors in the history, export and report queries. */
export const TransactionErrors = {
  /** An export whose "from" is not before its "to" (the request check and the query say the same). */
  exportRangeReversed: () => invalidRange('"from" must be before "to"', 'from', 'must be before to'),
  reportRangeReversed: () => invalidRange('"from" must not be after "to"', 'from', 'must not be after to'),
  reportRangeTooLong: () => invalidRange('a report covers at most three years', 'to', 'at most three years after from'),
  /** A paging cursor this API did not issue (histories and the audit log). */
  invalidCursor: () =>
    new DomainError('INVALID_CURSOR', 'invalid', 'cursor is not valid', { errors: [{ field: 'cursor', message: 'not a cursor this API issued' }] }),
};
