/**
 * An object as JSON text in pieces, one top-level field per line and one element per line of
 * the fields named in `perElement` (a run's `pairs`). Parsed back it is exactly
 * `JSON.parse(JSON.stringify(value))`.
 *
 * Why not `JSON.stringify(value, null, 2)`: a 64-host mesh is 2016 pairs of 23 flows each way;
 * indented, that report outgrew 64 MiB, and as one string it grows toward V8's string limit
 * (~512 MiB) with the fleet, where `JSON.stringify` throws "Invalid string length" after every
 * measurement is done. Pieces of one pair each stay small, the text stays greppable (a pair a
 * line), and `jq` still pretty-prints it.
 */
export function* jsonLines(value: object, perElement: readonly string[] = []): Generator<string> {
  const entries = Object.entries(value as Record<string, unknown>).flatMap(([key, field]): Array<[string, unknown, string]> => {
    // JSON.stringify leaves out keys whose value has no JSON form (undefined, functions).
    const text = perElement.includes(key) && Array.isArray(field) ? '' : JSON.stringify(field);
    return text === undefined ? [] : [[key, field, text]];
  });
  yield '{';
  for (const [index, [key, field, text]] of entries.entries()) {
    const comma = index < entries.length - 1 ? ',' : '';
    if (text !== '') {
      yield `\n${JSON.stringify(key)}:${text}${comma}`;
      continue;
    }
    const elements = field as unknown[];
    yield `\n${JSON.stringify(key)}:[`;
    for (const [at, element] of elements.entries()) {
      // An array element with no JSON form is written as null, as JSON.stringify does.
      yield `\n${JSON.stringify(element) ?? 'null'}${at < elements.length - 1 ? ',' : ''}`;
    }
    yield `${elements.length > 0 ? '\n' : ''}]${comma}`;
  }
  yield '\n}\n';
}
