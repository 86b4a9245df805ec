export * from './config.js';
export * from './policy.js';
export * from './call-window.js';
export * from './pool-metrics.js';
export * from './global-connection-scaler.js';
