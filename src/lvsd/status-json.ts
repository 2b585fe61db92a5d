/**
 * JSON text for the status document. JSON.stringify refuses bigint, and a JS number holds the
 * kernel's 64-bit byte counters exactly only up to 2^53 (9 PB, a few months at 10 Gbit/s), so
 * bigints are written as exact integer literals; everything else is written as JSON.stringify
 * would. Pure.
 */

/**
 * toJson writes plain data (null, booleans, numbers, bigints, strings, arrays and objects of
 * them) as JSON text indented by two spaces, bigints exactly. Object members that are undefined
 * are left out, as JSON.stringify does; anything else (a function, a symbol) is a TypeError.
 */
export function toJson(value: unknown): string {
  return write(value, '', '$');
}

function write(value: unknown, indent: string, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`toJson: ${path} is a ${typeof value}, not JSON data`);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((v: unknown, i) => `${inner}${write(v, inner, `${path}[${i}]`)}`);
    return items.length === 0 ? '[]' : `[\n${items.join(',\n')}\n${indent}]`;
  }
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner, `${path}.${k}`)}`);
  return members.length === 0 ? '{}' : `{\n${members.join(',\n')}\n${indent}}`;
}
