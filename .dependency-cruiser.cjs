/**
 * The layers of src/, lowest first. A module may import from its own layer and the layers below
 * it, never from a layer above: `npm run lint:layers` (and CI) fails on an upward import.
 *
 *   domain         pure rules and records: no I/O, no framework, no other layer
 *   audit          the hash chain's format (pure)
 *   db             schema, client, repositories, transactions
 *   notifications  webhook delivery, signing, callback checks
 *   use-cases      transactions and the commit seam: what the service does
 *   letters        renderers of letters (PDF, DOCX) from the domain's letter model; domain only
 *   http, seed     routes and plugins; the demo story
 *   witness        the witness program a municipality runs (its own process, not the service)
 *   (top)          app.ts, server.ts, jobs.ts, config.ts, logger.ts, cli/, observability/: wiring, commands, metrics and traces
 */
const layers = [
  ['domain', '^src/domain/'],
  ['audit', '^src/audit/'],
  ['db', '^src/db/'],
  ['notifications', '^src/notifications/'],
  ['use-cases', '^src/use-cases/'],
  ['letters', '^src/letters/'],
  ['http', '^src/(http|seed)/'],
  ['witness', '^src/witness/'],
  ['top', '^src/([^/]+\\.ts$|cli/|observability/)'],
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
      comment:
        'the domain imports no package (no fastify, drizzle, pg), only node: built-ins, itself and typebox: a pure library ' +
        '(schemas are data, no I/O) in which the records are written once, their types derived with Static<>',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '(^|/)node_modules/typebox/' },
    },
    {
      name: 'letters-import-domain-only',
      comment: 'a renderer turns a letter of the domain into bytes: it imports the domain and packages, no other layer',
      severity: 'error',
      from: { path: '^src/letters/' },
      to: { path: '^src/(?!domain/|letters/)' },
    },
    {
      name: 'http-reaches-db-through-use-cases',
      comment:
        'routes and plugins call use cases, never a repository, the drizzle schema or a transaction helper; a type import ' +
        '(the Database handle a plugin is given) is allowed',
      severity: 'error',
      from: { path: '^src/(http|seed)/' },
      to: { path: '^src/db/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'use-cases-write-no-sql',
      comment: 'a use case reads as a decision script (load, decide, write, emit): queries, SQL and drivers live in db/ repositories',
      severity: 'error',
      from: { path: '^src/use-cases/' },
      to: { path: '(^|/)node_modules/(drizzle-orm|pg|@electric-sql/pglite)/' },
    },
    {
      name: 'pipelining-stays-in-db',
      comment:
        'which statements share a round trip (answersInOrder, src/db/pipeline.ts) is a repository\'s concern: a use case ' +
        'calls a repository function named after what it loads or writes, and the repository sends the statements together',
      severity: 'error',
      from: { pathNot: '^src/db/' },
      to: { path: '^src/db/pipeline\\.ts$' },
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
