/**
 * The label of the invocations this package records, for the `source` stored with each
 * invocation (which integration recorded it).
 */
export const SOURCE = 'ai-sdk';
