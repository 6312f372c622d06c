/** The suites, in the order they run. */
export const SUITES = ['noop', 'direct', 'mcp', 'hooks', 'recommend', 'learned'] as const;
export type SuiteName = (typeof SUITES)[number];
