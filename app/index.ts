export * from './config';
export * from './secrets';
export * from './output';
export * from './registry-chart';
export * from './doit-chart';
export * from './stack';
export * from './immutable';
export * from './output-dir';
