export * from './create-tracker.js';
export * from './direct-tracker.js';
export * from './host.js';
export * from './noop-tracker.js';
export * from './recommend/index.js';
export * from './service.js';
export * from './settings/index.js';
export type { WriteBufferOptions } from './write-buffer.js';
