export * from './client.js';
export * from './errors.js';
export * from './probe.js';
export * from './url.js';
