/** The suites, in the order they run. */
export const SUITES = ['noop', 'direct', 'mcp', 'hooks', 'recommend', 'learned', 'postgres'] as const;
export type SuiteName = (typeof SUITES)[number];
