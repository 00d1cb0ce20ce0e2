/**
 * A deep copy of store data, as `structuredClone` makes it, for the copies every mutation makes (the file's
 * data for each mutation, the entry before and after, the data the writer keeps as its cache).
 *
 * Why not `structuredClone` itself: Node 20 runs it through its message serializer, about 5 µs for a small
 * store against 1 µs here, and a lifecycle update made four copies, part of them under the lock. Parsed data
 * is plain objects, arrays, primitives and the `String` objects that hold kept number tokens
 * (lossless-json.ts); those are copied here. Anything else a mutation may have put in (a `Date`, a `Map`) is
 * handed to `structuredClone`, so nothing is copied less faithfully than it would copy it.
 */
export function cloneData<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index += 1) copy[index] = copyValue(value[index]);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = copyValue((value as Record<string, unknown>)[key]);
    return copy;
  }
  if (value instanceof String) return new String(value.valueOf());
  return structuredClone(value);
}
