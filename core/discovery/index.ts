export * from './instance.js';
export * from './ports.js';
export * from './instance-view.js';
export * from './latency-samples.js';
export * from './discovery.js';
export * from './registration.js';
export * from './dependency-watch.js';
