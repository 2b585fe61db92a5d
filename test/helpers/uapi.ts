/** Reading numeric constants from the machine's uapi headers (linux-libc-dev), for constant checks. */
import { existsSync, readFileSync } from 'node:fs';

/** headerPath returns the path of a uapi header, or null when the machine does not have it. */
export function headerPath(name: string): string | null {
  const path = `/usr/include/linux/${name}`;
  return existsSync(path) ? path : null;
}

/**
 * headerConstants reads `#define NAME value` lines and C enums (implicit values counted) of a
 * set of headers (read in order, so later ones may refer to earlier names) into a map. Only plain integers, hex, shifts of integers and references to earlier names.
 */
export function headerConstants(...paths: string[]): Map<string, number> {
  const text = paths.map((p) => readFileSync(p, 'utf8')).join('\n').replace(/\/\*[\s\S]*?\*\//g, '');
  const out = new Map<string, number>();
  const evaluate = (expr: string): number | null => {
    const e = expr.trim().replace(/^\((.*)\)$/, '$1').trim();
    if (/^-?(0x[0-9a-fA-F]+|\d+)[uUlL]*$/.test(e)) return Number(e.replace(/[uUlL]+$/, ''));
    const shift = /^(\w+)\s*<<\s*(\w+)$/.exec(e);
    if (shift !== null) {
      const a = evaluate(shift[1] as string);
      const b = evaluate(shift[2] as string);
      return a === null || b === null ? null : a * 2 ** b;
    }
    const or = e.split('|').map((x) => x.trim());
    if (or.length > 1) {
      const parts = or.map(evaluate);
      return parts.some((p) => p === null) ? null : (parts as number[]).reduce((x, y) => x | y, 0);
    }
    return out.get(e) ?? null;
  };
  for (const m of text.matchAll(/^#define\s+(\w+)\s+([^\n]+)$/gm)) {
    const v = evaluate(m[2] as string);
    if (v !== null) out.set(m[1] as string, v);
  }
  for (const m of text.matchAll(/enum\s*\w*\s*\{([^}]*)\}/g)) {
    let next = 0;
    for (const item of (m[1] as string).split(',')) {
      const [name, value] = item.split('=').map((s) => s.trim());
      if (name === undefined || name === '' || name.startsWith('#')) continue;
      const v = value === undefined ? next : evaluate(value);
      if (v === null) continue;
      out.set(name, v);
      next = v + 1;
    }
  }
  return out;
}
