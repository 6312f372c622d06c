/** The label of the invocations this package records, once the protocol stores a source. */
export const SOURCE = 'langchain';
