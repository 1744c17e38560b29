export * from './compose.js';
export * from './workspace.js';
