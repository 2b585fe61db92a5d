// Shared by the bin/ launchers: load the built program and run it, or say how to build it.
import { fileURLToPath } from 'node:url';

export async function launch(name) {
  const url = new URL(`../dist/src/cli/${name}.js`, import.meta.url);
  let program;
  try {
    program = await import(url.href);
  } catch (err) {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(fileURLToPath(url))) {
      const root = fileURLToPath(new URL('..', import.meta.url));
      process.stderr.write(`${name}: lvs-director is not built: run 'npm ci && npm run build' in ${root}\n`);
      process.exit(2);
    }
    throw err;
  }
  process.exitCode = await program.main(process.argv);
}
