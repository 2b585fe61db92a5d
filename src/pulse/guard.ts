/**
 * The VIP guard: a small child process that knows which VIPs pulse has up and takes them down if
 * pulse dies without deactivating (kill -9, OOM), when the IPC channel to pulse closes. Without
 * it a crashed router keeps answering ARP for VIPs that the partner has taken over (piranha left
 * them up until the next start, and did not clean them then either).
 *
 * Protocol (pulse -> guard): `{type:'hold', requests}` replaces the set of held addresses,
 * `{type:'release'}` empties it, `{type:'exit'}` ends the guard without touching anything.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressRequest } from '../link/types.js';

/** GuardMessage is a message from pulse to the guard. */
export type GuardMessage = { readonly type: 'hold'; readonly requests: readonly AddressRequest[] } | { readonly type: 'release' } | { readonly type: 'exit' };

const GUARD_MAIN = fileURLToPath(new URL('./guard-main.js', import.meta.url));

/** VipGuard is pulse's side of the guard. */
export class VipGuard {
  private constructor(private readonly child: ChildProcess) {}

  /** start forks the guard and resolves when it is listening. */
  static async start(): Promise<VipGuard> {
    const child = fork(GUARD_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`the VIP guard ended at start (${signal ?? `exit ${code}`})`)));
    });
    child.removeAllListeners('exit');
    child.unref();
    child.channel?.unref();
    return new VipGuard(child);
  }

  /** hold tells the guard the addresses that are (about to be) up. */
  hold(requests: readonly AddressRequest[]): void {
    this.post({ type: 'hold', requests });
  }

  /** release tells the guard that no address is up any more. */
  release(): void {
    this.post({ type: 'release' });
  }

  /** close ends the guard, leaving the addresses as they are. */
  close(): void {
    this.post({ type: 'exit' });
    if (this.child.connected) this.child.disconnect();
  }

  private post(m: GuardMessage): void {
    if (this.child.connected) this.child.send(m);
  }
}
