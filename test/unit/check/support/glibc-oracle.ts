/**
 * glibc's regcomp/regexec as a test oracle: fixtures/ere-oracle.c compiled with the system C
 * compiler into a temporary directory, fed many (pattern, subject) cases through one pipe.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoPath } from '../../../helpers/config.js';

/** OracleCase is a pattern and a subject, as bytes (neither may contain NUL). */
export type OracleCase = readonly [pattern: Uint8Array, subject: Uint8Array];

/** GlibcOracle answers "1", "0", "E <regerror text>", or "T" when glibc took over a second. */
export interface GlibcOracle {
  run(cases: readonly OracleCase[]): Promise<string[]>;
  close(): void;
}

/** buildOracle compiles the oracle, or returns the reason it cannot (no C compiler). */
export function buildOracle(): GlibcOracle | string {
  const dir = mkdtempSync(join(tmpdir(), 'ere-oracle-'));
  const binary = join(dir, 'oracle');
  try {
    execFileSync('cc', ['-O1', '-o', binary, repoPath('test/unit/check/fixtures/ere-oracle.c')], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return `no working C compiler to build the glibc oracle: ${(e as Error).message.split('\n')[0] ?? ''}`;
  }
  return {
    run: async (cases) => {
      const answers: string[] = [];
      while (answers.length < cases.length) {
        const batch = cases.slice(answers.length);
        const lines = await runBatch(binary, batch);
        answers.push(...lines.slice(0, batch.length));
      }
      return answers;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** runBatch feeds cases to one oracle process; it stops early after a "T" answer. */
function runBatch(binary: string, cases: readonly OracleCase[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', () => resolve(lines));
    for (const [p, s] of cases) child.stdin.write(`${Buffer.from(p).toString('hex')} ${Buffer.from(s).toString('hex')}\n`);
    child.stdin.end();
  });
}
