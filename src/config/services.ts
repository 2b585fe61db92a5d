/**
 * Reading /etc/services for tcp service names, which piranha accepts as ports
 * (`port = http`) through getservbyname(name, "tcp").
 */
import { readFileSync } from 'node:fs';
import type { ServiceNames } from './values.js';

/** parseServices reads the text of an /etc/services file: names and aliases of tcp services. */
export function parseServices(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/tcp$/.exec(portProto ?? '');
    if (name === undefined || m === null) continue;
    const port = Number(m[1]);
    for (const n of [name, ...aliases]) if (!out.has(n)) out.set(n, port);
  }
  return out;
}

/** loadServices reads /etc/services (or `path`); a missing file gives an empty table. */
export function loadServices(path = '/etc/services'): ServiceNames {
  try {
    return parseServices(readFileSync(path, 'latin1'));
  } catch {
    return new Map();
  }
}
