import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only src/entrypoints/shared/config.ts reads process.env.' }],
    },
  },
  {
    // The domain stays free of frameworks and infrastructure.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['koa', '@koa/*', '@mikro-orm/*', 'ioredis', 'kafkajs', 'inversify', 'pino', 'argon2', 'jsonwebtoken', 'zod', '*/adapters/*', '*/entrypoints/*', '*/application/*'] }],
    },
  },
  {
    files: ['src/entrypoints/shared/config.ts', 'tests/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
