export { configSchema, type TallyConfig } from './schema.js';
export { loadConfig, applyEnvOverrides, type LoadedConfig, type LoadConfigOptions } from './load.js';
export * as sections from './sections.js';
export { type AssistantConfig } from './assistant-section.js';
export { type UnitEconomicsConfig } from './unit-economics-section.js';
