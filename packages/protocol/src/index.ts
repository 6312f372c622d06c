export * from './errors.js';
export * from './export.js';
export * from './ids.js';
export * from './invocation.js';
export * from './limits.js';
export * from './settings.js';
export * from './store.js';
export * from './tracker.js';
