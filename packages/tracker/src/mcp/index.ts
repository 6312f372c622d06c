export * from './auto-tracker.js';
export * from './mcp-tracker.js';
export { connectSkillsMcpClient, type McpConnector, type McpTrackerClient } from './server-link.js';
export * from './sync-spool.js';
export { countSpoolFile, listSpoolFiles, type ReplayCounts, type SpoolFileInfo } from './spool.js';
