export * from './auto-tracker.js';
export * from './mcp-tracker.js';
export * from './sync-spool.js';
export { listSpoolFiles, type ReplayCounts, type SpoolFileInfo } from './spool.js';
