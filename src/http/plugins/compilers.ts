import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { AnySchema } from 'ajv';
import { buildValidatorCompiler } from './validation.js';

type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Serialize = (data: unknown) => string;

/**
 * The schema compilers of an app, each building a route's validator or serialiser on the route's
 * first request instead of when the route is declared: an app (and every app a test builds) is
 * ready without compiling the schemas of routes it never serves. `compileAll` builds every one
 * still pending at once; the server calls it before it listens, so a schema that cannot compile
 * stops the start, as before, and no request waits for a compilation.
 */
export interface SchemaCompilers {
  /** Fastify's `schemaController.compilersFactory`. */
  factory: { buildValidator: () => FastifySchemaCompiler<AnySchema>; buildSerializer: (externalSchemas: unknown, options: unknown) => FastifySerializerCompiler<unknown> };
  /** Compiles every validator and serialiser not yet compiled; returns how many it compiled. */
  compileAll(): number;
}

export function schemaCompilers(): SchemaCompilers {
  const pending = new Set<() => unknown>();

  /** `compile` runs once, on the first call or in compileAll, whichever comes first. */
  const deferred = <T>(compile: () => T): (() => T) => {
    let compiled: T | undefined;
    const get = () => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(get);
      }
      return compiled;
    };
    pending.add(get);
    return get;
  };

  const validators = buildValidatorCompiler();
  const serializers = SerializerSelector();
  return {
    factory: {
      buildValidator: () => (routeSchema) => {
        const get = deferred(() => validators(routeSchema) as Validate);
        // Fastify reads a failed validation's problems from the function's own `errors`.
        const validate: Validate = (data) => {
          const compiled = get();
          const valid = compiled(data);
          validate.errors = compiled.errors;
          return valid;
        };
        return validate as ReturnType<FastifySchemaCompiler<AnySchema>>;
      },
      buildSerializer: (externalSchemas, options) => {
        const compile = serializers(externalSchemas, options as never);
        return (routeSchema) => {
          const get = deferred<Serialize>(() => compile(routeSchema as never));
          return (data: unknown) => get()(data);
        };
      },
    },
    compileAll() {
      const now = [...pending];
      for (const compile of now) compile();
      return now.length;
    },
  };
}
