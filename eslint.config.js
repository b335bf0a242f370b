// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule of ARCHITECTURE.md, enforced: transport → services → domain;
 * adapters (storage, security, workers, telemanagement) implement ports declared by services;
 * only main/ (composition roots) and cli/ wire adapters together; the codec imports nothing of ours.
 */
const layer = (folders, message) => ({
  group: folders.flatMap((f) => [`**/${f}/**`, `**/${f}`, `**/${f}.js`]),
  message,
});
/** src/ never imports sim/ (tests included): the composition root takes the simulators through a port. */
const notSim = {
  group: ['**/sim/**', '**/sim', '**/sim/index.js'],
  message:
    'src/ never imports sim/: the entry point hands the simulators to the composition root (main/simulators.ts).',
};
const infrastructure = [
  'fastify',
  'pg',
  'pg-copy-streams',
  'kysely',
  '@electric-sql/*',
  '@fastify/*',
  'typebox',
  'node:*',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  {
    // Every file of src/, tests and composition roots included; the layers below repeat it beside their own rules.
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [notSim] }] },
  },
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['services', 'storage', 'http', 'cli', 'main', 'workers', 'security', 'demo', 'codec', 'config'],
              'domain/ is pure rules: it imports nothing but domain/.',
            ),
            { group: infrastructure, message: 'domain/ does no I/O: no framework, database or Node built-in.' },
            notSim,
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'domain/ reads no environment: pass values in.' }],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    ignores: ['src/services/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['storage', 'http', 'cli', 'main', 'workers', 'security', 'demo'],
              'services/ depend on ports (services/ports/), never on adapters or transport.',
            ),
            {
              group: ['fastify', 'pg', 'pg-copy-streams', 'kysely', '@electric-sql/*', '@fastify/*'],
              message: 'services/ reach storage through ports.',
            },
            notSim,
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/storage/**/*.ts',
      'src/security/**/*.ts',
      'src/workers/**/*.ts',
      'src/demo/**/*.ts',
      'src/telemanagement/**/*.ts',
    ],
    ignores: ['src/**/*.test.ts', 'src/**/*.contract.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['http', 'cli', 'main'],
              'adapters implement ports; they do not know transport or composition roots.',
            ),
            notSim,
          ],
        },
      ],
    },
  },
  {
    files: ['src/http/**/*.ts'],
    ignores: ['src/http/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['storage', 'cli', 'main', 'workers', 'security', 'demo'],
              'http/ calls services; adapters are wired in main/.',
            ),
            notSim,
          ],
        },
      ],
    },
  },
  {
    files: ['src/codec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['../**', '..'], message: 'The Chain 2 codec imports nothing else of the project.' }],
        },
      ],
    },
  },
  {
    // The field (meters, concentrators, the demo's Chain 2) implements the platform's ports: it may use them and the
    // domain's types, never the platform's services, adapters or transport.
    files: ['sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // services/*.js, not services/ports/**: the ports are what the field implements.
              group: [...layer(['storage', 'http', 'workers', 'security', 'demo'], '').group, '**/services/*.js'],
              message:
                'sim/ plays the field: it implements ports (services/ports/, main/simulators.ts), it does not use adapters.',
            },
          ],
        },
      ],
    },
  },
  {
    // What a DU maker would write (the DU, the power line) and the meter's Chain 2 behaviour: codec and domain only.
    files: ['sim/du-emulator/**/*.ts', 'sim/power-line/**/*.ts', 'sim/meter-emitter/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['services', 'storage', 'http', 'cli', 'main', 'workers', 'security', 'demo'],
              "sim/ holds simulators built on the codec and public interfaces only, as a DU maker's code would be.",
            ),
          ],
        },
      ],
    },
  },
  {
    // The portal (TSX, for the browser): it reaches the platform only through the public API (web/src/api.ts).
    files: ['web/**/*.{ts,tsx}'],
    ignores: ['web/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/../src/**', '**/../sim/**', '**/../test/**'],
              message: 'web/ talks to the platform only through the public API (web/src/api.ts).',
            },
            { group: ['node:*'], message: 'web/ runs in the browser.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'web/ runs in the browser: there is no process.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'sim/**/*.ts'],
    ignores: ['src/config.ts', 'src/**/*.test.ts', 'src/**/*.contract.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only loadConfig(env) in src/config.ts reads the environment.' },
      ],
    },
  },
);
