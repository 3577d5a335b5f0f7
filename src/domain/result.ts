// Expected failures are values, not exceptions: every use case returns a Result.

export type Result<T, E = Problem> = { ok: true; value: T } | { ok: false; error: E };

/** A problem a user can act on: where it is and what was expected. */
export interface Problem {
  /** What kind of problem: the CLI maps `bad-input` and `not-found` to exit code 2. */
  kind: 'bad-input' | 'not-found' | 'refused' | 'forbidden' | 'conflict';
  /** Where: a file and line, a field, an ODS code or an item ID. */
  where?: string;
  message: string;
}

export const success = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const failure = (kind: Problem['kind'], message: string, where?: string): Result<never> => ({
  ok: false,
  error: where === undefined ? { kind, message } : { kind, message, where },
});
