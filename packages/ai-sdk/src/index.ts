export { enableSkillsTracking } from './enable.js';
export { SkillsTelemetry, type SkillsPrepareStepOptions, type SkillsTelemetryOptions } from './telemetry.js';
export { steerStep, type SteerInput, type SteerOptions, type SteerResult } from './steer.js';
export { SOURCE } from './source.js';
