// Records shared between requests (kept by a cache, handed to every reader) are frozen all the way down, so
// that no reader can change them under another. Being frozen all the way down also means an object's content
// is fixed for good: code that would compare two such objects by content can compare them by identity.
const deeplyFrozen = new WeakSet<object>();

/** Freezes `value` and everything it holds, and returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || deeplyFrozen.has(value)) return value;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
  deeplyFrozen.add(value);
  return value;
}

/** Whether `value` was frozen all the way down by `deepFreeze`, so its content can never change. */
export function isDeepFrozen(value: unknown): value is object {
  return typeof value === 'object' && value !== null && deeplyFrozen.has(value);
}

/**
 * `build` made to remember its result for each source frozen all the way down (and the same `variant`, such as
 * an ODS code for links), freezing it in turn: what is built from data that can never change is built once.
 * Any other source is built from afresh every time.
 */
export function derivedOnce<S, T>(
  build: (source: S, variant: string) => T,
): (source: S, variant: string) => T {
  const built = new WeakMap<object, { variant: string; value: T }>();
  return (source, variant) => {
    if (!isDeepFrozen(source)) return build(source, variant);
    const found = built.get(source);
    if (found?.variant === variant) return found.value;
    const value = deepFreeze(build(source, variant));
    built.set(source, { variant, value });
    return value;
  };
}
