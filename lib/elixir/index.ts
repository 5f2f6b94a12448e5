export * from './secrets';
export * from './elixir-deployment';
