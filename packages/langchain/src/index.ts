export * from './handler.js';
export * from './recommend.js';
export { ERROR_MESSAGE_TYPE } from './recorder.js';
export * from './shortlist.js';
export * from './source.js';
