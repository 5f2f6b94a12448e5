export * from './doit-chart';
