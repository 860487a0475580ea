/**
 * Import boundaries (DESIGN.md, "Imports point inwards"). `npm run lint:deps` checks them; CI fails on any.
 * A path in a rule that matches nothing yet (cash/, rollout/, ledger/builtin-schema.ts) is fine: it is the
 * boundary waiting for the code.
 */

// Rooms that own (or will own) a Temporal workflow.
const ROOMS = 'collections|outreach|cash|rollout|insights|policy';
// Modules that run inside the workflow sandbox: the workflow, its pure case/state/steps/planning code and its
// messages. A new pure module a workflow needs gets its name added here, which subjects it to the same rule.
const SANDBOX_FILES = [
  'workflow',
  '[a-z-]+-case',
  '[a-z-]+-state',
  'steps',
  'steps/[a-z-]+',
  'messages',
  'message-schemas',
  '[a-z-]*refusals',
  'publish',
  'proposal',
  'next-action',
  'dunning',
  'reasoning', // collections/
  'ledger-sync-workflow', // collections/
  'contact-caps', // outreach/
  'merge', // outreach/
  'batch-window', // outreach/
].join('|');
// Group 1 is the room, so a workflow module may import its own room's sandbox modules ($1 below).
const WORKFLOW_SIDE = `^(${ROOMS})/(?:${SANDBOX_FILES})\\.ts$`;
// Outside the rooms, the only modules the sandbox may load: ids and search attributes, both pure.
const TEMPORAL_PURE = '^temporal/(?:search-attributes|workflow-ids)\\.ts$';
const PRODUCTION = '^(?!dev/|test/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'domain/ is the shared kernel every room and the workflow sandbox load: it imports nothing of ours outside domain/ ' +
        'and no package but zod (schemas), so it stays deterministic and free of I/O.',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^node_modules/zod/'] },
    },
    {
      name: 'workflow-imports-only-sandbox-safe',
      severity: 'error',
      comment:
        "Workflow code runs in the deterministic sandbox: it may load domain/, its own room's sandbox modules, any room's " +
        'messages.ts, temporal ids and search attributes, @temporalio/workflow and zod. Anything else (db, ledger, ' +
        'channels, config) is I/O that belongs in an activity.',
      from: { path: WORKFLOW_SIDE },
      to: {
        pathNot: [
          '^domain/',
          `^$1/(?:${SANDBOX_FILES})\\.ts$`,
          `^(?:${ROOMS})/messages\\.ts$`,
          TEMPORAL_PURE,
          // Type-only, checked by Biome's .ci/workflow-activities-type-only.grit: under TypeScript 7 dependency-cruiser
          // has no compiler API to tell `import type` apart.
          `^(?:${ROOMS})/activities\\.ts$`,
          '^node_modules/(?:@temporalio/workflow|@temporalio/common|zod)/',
        ],
      },
    },
    {
      name: 'workflow-no-node-builtins',
      severity: 'error',
      comment: 'node: builtins are not available in the workflow sandbox (and would be non-deterministic I/O).',
      from: { path: [WORKFLOW_SIDE, TEMPORAL_PURE] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'temporal-pure-modules-stay-pure',
      severity: 'error',
      comment: "Workflow ids and search attributes are loaded by workflows: they import only Temporal's common/workflow packages.",
      from: { path: TEMPORAL_PURE },
      to: { pathNot: ['^node_modules/(?:@temporalio/workflow|@temporalio/common)/'] },
    },
    {
      name: 'worker-bundle-loads-only-workflows',
      severity: 'error',
      comment:
        'apps/worker/workflows.ts is the workflow bundle entry: it re-exports room workflow.ts files only, so everything ' +
        "the bundle reaches is covered by the rules above. A new room's workflow must be added to ROOMS.",
      from: { path: '^apps/worker/workflows\\.ts$' },
      to: { pathNot: `^(?:${ROOMS})/workflow\\.ts$` },
    },
    {
      name: 'production-not-to-dev-or-test',
      severity: 'error',
      comment: 'Production code never depends on the local stack, harnesses, benchmarks or tests.',
      from: { path: PRODUCTION },
      to: { path: '^(?:dev|test)/' },
    },
    {
      name: 'dev-not-to-test',
      severity: 'error',
      comment: 'dev/ (npm start, benchmarks, the harness tests share) is below test/: tests use dev/harness, not the reverse.',
      from: { path: '^dev/' },
      to: { path: '^test/' },
    },
    {
      name: 'apps-are-leaves',
      severity: 'error',
      comment:
        'apps/ (worker, http, cli) wire the rooms together; rooms and shared modules never import them, or the layers ' +
        'would fold back onto each other. Only apps/, dev/ and test/ may.',
      from: { pathNot: '^(?:apps|dev|test)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'ledger-tables-through-ledger',
      severity: 'error',
      comment:
        "The built-in ledger's tables are ledger/'s own: rooms read and write the ledger through ledger/port.ts, so an ERP " +
        'can stand in for it. Only ledger/ and db/ (schema, migrations) import the table module.',
      from: { pathNot: '^(?:ledger|db)/' },
      to: { path: '^ledger/builtin-schema\\.ts$' },
    },
    {
      name: 'access-no-http',
      severity: 'error',
      comment: 'access/ (users, roles, AccessError) is used by the CLI and the worker too; HTTP mapping lives in apps/http.',
      from: { path: '^access/' },
      to: { path: '^node_modules/(?:hono|@hono/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and two modules one: split out what both need.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A production module nothing imports is dead code, or an entry point that belongs in knip.json.',
      from: {
        orphan: true,
        pathNot: [
          '^(?:dev|test)/',
          '\\.d\\.ts$',
          // Config files read by their tools, and the page's script loaded by the browser.
          '^[^/]+\\.config\\.(?:ts|js|mjs|cjs)$',
          '(^|/)\\.[^/]+\\.(?:js|cjs|mjs|json)$',
          '^apps/http/static/',
          // Loaded by path into the workflow context (the bundler's preloadModules), imports nothing.
          '^apps/worker/no-stack-traces\\.ts$',
        ],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'production-not-to-dev-dependency',
      severity: 'error',
      comment: 'npm ci --omit=dev (the Docker image) leaves devDependencies out: production code may not need them.',
      from: { path: PRODUCTION, pathNot: '^[^/]+\\.config\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(?:\\.data|\\.temporal|\\.test-output|\\.git|coverage)/|^test/fixtures/' },
    // Type-only imports count too (a type import of db/ from a workflow is still a boundary leak).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
