/**
 * The layers of src/, lowest first. A module may import from its own layer and the layers below
 * it, never from a layer above: `npm run lint:layers` (and CI) fails on an upward import.
 *
 *   domain         pure rules and records: no I/O, no framework, no other layer
 *   audit          the hash chain's format (pure)
 *   db             schema, client, repositories, transactions
 *   notifications  webhook delivery, signing, callback checks
 *   use-cases      transactions and the commit seam: what the service does
 *   http, seed     routes and plugins; the demo story
 *   (top)          app.ts, server.ts, jobs.ts, config.ts, logger.ts, cli/: wiring and commands
 */
const layers = [
  ['domain', '^src/domain/'],
  ['audit', '^src/audit/'],
  ['db', '^src/db/'],
  ['notifications', '^src/notifications/'],
  ['use-cases', '^src/use-cases/'],
  ['http', '^src/(http|seed)/'],
  ['top', '^src/([^/]+\\.ts$|cli/)'],
];

const forbidden = layers.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-import-from-${name}`,
  comment: `${name} may not import from a higher layer`,
  severity: 'error',
  from: { path },
  to: { path: layers.slice(index + 1).map(([, higher]) => `(${higher})`).join('|') },
}));

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'domain-is-pure',
      comment: 'the domain imports no package (no fastify, drizzle, pg), only node: built-ins and itself',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-circular',
      comment: 'modules of src/ do not import each other in a circle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
