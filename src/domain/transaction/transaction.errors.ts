import { DomainError } from '../shared/domain-error.ts';

/** The read side's refusals: bad ranges and cursors in the history, export and report queries. */
export const TransactionErrors = {
  /** An export whose "from" is not before its "to" (the request check and the query say the same). */
  exportRangeReversed: () => new DomainError('INVALID_RANGE', 'invalid', '"from" must be before "to"', { errors: [{ field: 'from', message: 'must be before to' }] }),
  reportRangeReversed: () => new DomainError('INVALID_RANGE', 'invalid', '"from" must not be after "to"', { errors: [{ field: 'from', message: 'must not be after to' }] }),
  reportRangeTooLong: () => new DomainError('INVALID_RANGE', 'invalid', 'a report covers at most three years', { errors: [{ field: 'to', message: 'at most three years after from' }] }),
  /** A paging cursor this API did not issue (histories and the audit log). */
  invalidCursor: () => new DomainError('INVALID_CURSOR', 'invalid', 'cursor is not valid', { errors: [{ field: 'cursor', message: 'not a cursor this API issued' }] }),
};
