/** The VIP guard process (see guard.ts): it removes the held addresses when pulse goes away. */
import { RouteClient } from '../link/client.js';
import type { AddressRequest } from '../link/types.js';
import { describeRequest } from '../link/vip.js';
import type { GuardMessage } from './guard.js';

let held: readonly AddressRequest[] = [];
// A terminal's Ctrl-C or a group SIGHUP is pulse's business; the guard acts only when pulse is gone.
for (const s of ['SIGINT', 'SIGHUP'] as const) process.on(s, () => undefined);
let leaving = false;

process.on('message', (m: GuardMessage) => {
  if (m.type === 'hold') held = m.requests;
  else if (m.type === 'release') held = [];
  else if (m.type === 'exit') {
    leaving = true;
    process.disconnect();
  }
});

process.on('disconnect', () => {
  if (leaving || held.length === 0) process.exit(0);
  const routes = RouteClient.open();
  void Promise.allSettled(held.map((r) => routes.removeAddress(r))).then((results) => {
    results.forEach((r, i) => {
      const what = describeRequest(held[i] as AddressRequest);
      if (r.status === 'rejected') process.stdout.write(`pulse: guard: cannot remove ${what}: ${(r.reason as Error).message}\n`);
    });
    process.stdout.write(`pulse: pulse ended without deactivating: removed ${held.length} floating address(es)\n`);
    routes.close();
    process.exit(0);
  });
});

// Tell pulse the guard is listening.
process.send?.({ type: 'listening' });
