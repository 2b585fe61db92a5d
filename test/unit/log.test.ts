import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';

describe('createLogger', () => {
  it('writes piranha-style lines, debug lines only when verbose', () => {
    const lines: string[] = [];
    const quiet = createLogger('nanny', { write: (l) => lines.push(l) });
    quiet.info('[ active ] making 10.0.0.1:80 available');
    quiet.debug('hidden');
    const loud = createLogger('pulse', { verbose: true, write: (l) => lines.push(l) });
    loud.debug('Sending heartbeat...');
    assert.deepEqual(lines, ['nanny: [ active ] making 10.0.0.1:80 available\n', 'pulse: DEBUG -- Sending heartbeat...\n']);
  });
});
