/**
 * Watches link events in the namespace it runs in and prints one JSON line per event, with
 * `at` (Date.now() when received), after a {"ready": true} line once the initial state was
 * reported. Ends on SIGTERM. Used by test/netns/link.test.ts through Netns.spawnNode().
 */
import { RouteClient } from '../../../src/link/client.js';
import { LinkWatch } from '../../../src/link/events.js';

const client = RouteClient.open();
const watch = LinkWatch.watch({ source: client });
watch.on((e) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...e })}\n`));
watch.onError((e) => process.stdout.write(`${JSON.stringify({ at: Date.now(), error: e.message })}\n`));
await watch.ready;
process.stdout.write(`${JSON.stringify({ ready: true, at: Date.now() })}\n`);
process.on('SIGTERM', () => {
  watch.close();
  client.close();
});
