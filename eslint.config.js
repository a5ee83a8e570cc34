// @ts-check
import css from '@eslint/css'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The direction of imports (docs/architecture.md): scenario/ under everything; the
 * mocks and the API under test beside each other, never importing the harness; inside the
 * harness, the CLI helpers and the stack under measuring, the results contract (record/)
 * under measuring, rendering and the CLI, and measuring never importing rendering. Each entry: the files, and the
 * relative imports they may not make (matched on the import's path, which in this project
 * is always relative; a dynamic import() is not checked).
 */
const SCENARIO = 'scenario/ is the lab’s world, read by every layer: it imports nothing else of the lab'
const LAYERS = [
  { files: ['scenario/*.ts'], forbidden: String.raw`^\.\./`, why: SCENARIO },
  { files: ['scenario/*/*.ts'], forbidden: String.raw`^\.\./\.\./`, why: SCENARIO },
  { files: ['scenario/*/*/*.ts'], forbidden: String.raw`^\.\./\.\./\.\./`, why: SCENARIO },
  {
    files: ['roles/**/*.ts'],
    forbidden: String.raw`^(\.\./)+(bench|variants|mock-upstreams|lab-api|model)(/|$)`,
    why: 'roles/ (what every role speaks: the hello, the token, the precise wait) imports only scenario/: the mocks, the API and the harness all stand on it',
  },
  {
    files: ['mock-upstreams/**/*.ts'],
    forbidden: String.raw`^(\.\./)+(bench|variants)(/|$)`,
    why: 'mock-upstreams/ imports only scenario/: it knows nothing of the harness or the API under test',
  },
  {
    files: ['model/**/*.ts'],
    forbidden: String.raw`^(\.\./)+bench(/|$)`,
    why: "model/ (the virtual-time runs) imports scenario/, the mocks' data and the variants; the harness uses it, never the reverse",
  },
  {
    files: ['variants/**/*.ts'],
    forbidden: String.raw`^(\.\./)+(bench|mock-upstreams|lab-api)(/|$)`,
    why: 'variants/ imports only scenario/ and variants/shared/: the API under test knows nothing of the harness, of its fake upstreams or of the lab’s plugin (lab-api/)',
  },
  {
    files: ['lab-api/**/*.ts'],
    forbidden: String.raw`^(\.\./)+(bench|mock-upstreams|model)(/|$)`,
    why: 'lab-api/ (the lab’s plugin in the API process) imports scenario/ and the API’s own parts (variants/shared/); the harness talks to it over HTTP',
  },
  {
    files: ['bench/cli/**/*.ts'],
    forbidden: String.raw`^\.\./(stack|measure|report)(/|$)|^(\.\./)+bench/(stack|measure|report)(/|$)`,
    why: 'bench/cli/ (flags, settings, progress) sits under the harness: it starts and measures nothing',
  },
  {
    files: ['bench/stack/**/*.ts'],
    forbidden: String.raw`^\.\./(cli|measure|record|report)(/|$)|^(\.\./)+bench/(cli|measure|record|report)(/|$)`,
    why: 'bench/stack/ starts and stops the processes; it knows nothing of what is measured',
  },
  {
    files: ['bench/record/**/*.ts'],
    forbidden: String.raw`^\.\./(cli|stack|measure|compare|report)(/|$)|^(\.\./)+bench/(cli|stack|measure|compare|report)(/|$)`,
    why: 'bench/record/ (the results contract and its formatting) sits under measuring and rendering',
  },
  {
    files: ['bench/compare/**/*.ts'],
    forbidden: String.raw`^\.\./(cli|stack|report)(/|$)|^(\.\./)+bench/(cli|stack|report)(/|$)`,
    why: 'bench/compare/ compares saved figures: it starts nothing and renders nothing',
  },
  {
    files: ['bench/measure/**/*.ts'],
    forbidden: String.raw`^\.\./report(/|$)|^(\.\./)+bench/report(/|$)`,
    why: 'measuring never imports rendering: bench/measure/ writes results, bench/report/ renders them',
  },
  {
    files: ['bench/report/**/*.{ts,js}'],
    forbidden: String.raw`^(\.\./)+(measure|compare|stack|cli)(/|$)|^(\.\./)+bench/(measure|compare|stack|cli)(/|$)`,
    why: 'bench/report/ renders results.json and nothing else',
  },
]

export default tseslint.config(
  { ignores: ['node_modules/', 'results/', 'coverage/', 'scratch/'] },
  { files: ['**/*.{js,ts}'], ...js.configs.recommended },
  ...tseslint.configs.recommended.map((config) => ({ files: ['**/*.{js,ts}'], ...config })),
  {
    files: ['**/*.{js,ts}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  ...LAYERS.map(({ files, forbidden, why }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: forbidden, message: `Forbidden by the layering: ${why}.` }] }] },
  })),
  // The API under test never serves the lab's routes nor reads the OS's process files: lab-api/ does (grep finds neither in variants/).
  {
    files: ['variants/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Literal', 'TemplateElement'].map((node) => ({
          selector: `${node}[${node === 'Literal' ? 'value' : 'value.raw'}=/__lab|\\/proc\\b/]`,
          message: 'variants/ is the API under test: the /__lab routes and /proc readings belong to the lab’s plugin (lab-api/).',
        })),
      ],
    },
  },
  // The report page's script runs in the browser (inlined into report.html); the launcher and the bundler in node.
  { files: ['bench/report/page/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['bench/launch.js', 'bench/stack/bundle.js'], languageOptions: { globals: globals.node } },
  { files: ['**/*.css'], plugins: { css }, language: 'css/css', ...css.configs.recommended },
)
