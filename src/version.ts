/** The package version, read once from package.json at the top of the install. */
import { readFileSync } from 'node:fs';

/** VERSION is lvs-director's version string. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
