import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Frameworks and infrastructure libraries: only adapters and entrypoints import them.
const FRAMEWORKS = [
  'koa',
  '@koa/*',
  '@mikro-orm/*',
  'ioredis',
  'kafkajs',
  'inversify',
  'pino',
  'argon2',
  'jsonwebtoken',
  'zod',
  '@opentelemetry/*',
  'prom-client',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only src/entrypoints/shared/config.ts reads process.env.' },
      ],
    },
  },
  // Layers (README.md, Architecture): each layer imports only the ones inside it.
  // domain <- application <- adapters <- entrypoints; frameworks stay in adapters and entrypoints.
  {
    // The domain imports nothing outside src/domain: no framework, no other layer.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: FRAMEWORKS, message: 'The domain is free of frameworks and infrastructure.' },
            { group: ['../../*', '!../../domain', '!../../domain/**'], message: 'The domain imports only from src/domain.' },
          ],
        },
      ],
    },
  },
  {
    // Use cases speak to the outside world only through ports (src/application/ports, src/domain/*).
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: FRAMEWORKS, message: 'Use cases reach frameworks through a port (src/application/ports).' },
            {
              group: ['**/adapters', '**/adapters/**', '**/entrypoints', '**/entrypoints/**'],
              message: 'The application layer imports neither adapters nor entrypoints.',
            },
          ],
        },
      ],
    },
  },
  {
    // Adapters are handed their configuration slices; they never reach into the wiring.
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/entrypoints', '**/entrypoints/**'], message: 'Adapters import nothing from entrypoints: pass the configuration slice in.' }],
        },
      ],
    },
  },
  {
    files: ['src/entrypoints/shared/config.ts', 'tests/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
