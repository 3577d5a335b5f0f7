// A query built and compiled once, then run with new parameter values. Building a Kysely query and compiling
// it to SQL costs more than SQLite takes to run a lookup by key, and the few lookups every page makes (the
// session, the organisation) are the same SQL each time with a different value.
import type { Compilable, CompiledQuery } from 'kysely';

/**
 * `build` receives placeholder values and must use each exactly once, in the order the compiled SQL binds
 * them; the returned function swaps in the real values. Compiled on first use.
 */
export function preparedQuery<Row, P extends unknown[]>(
  build: (...placeholders: P) => Compilable<Row>,
  placeholders: P,
): (...values: P) => CompiledQuery<Row> {
  let compiled: CompiledQuery<Row> | undefined;
  return (...values) => {
    compiled ??= build(...placeholders).compile();
    if (compiled.parameters.length !== values.length)
      throw new Error(`a prepared query binds ${compiled.parameters.length} values, not ${values.length}`);
    return { ...compiled, parameters: values };
  };
}
