/** The label stored with every invocation this package records (`source`). */
export const SOURCE = 'claude-code';
