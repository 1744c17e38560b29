export * from './compose.js';
export * from './dockerfile.js';
export * from './dockerignore.js';
export * from './image-rehearsal.js';
export * from './stack.js';
export * from './workspace.js';
