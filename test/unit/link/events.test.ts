import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouteClient } from '../../../src/link/client.js';
import { encodeLink } from '../../../src/link/codec.js';
import { RTM } from '../../../src/link/constants.js';
import { LinkWatch } from '../../../src/link/events.js';
import { FakeMulticastSocket, FakeRouteKernel, settle } from '../../../src/testing/link-fakes.js';
import type { Link, LinkEvent } from '../../../src/link/types.js';
import { encodeMessage } from '../../../src/netlink/message.js';
import { dial } from '../../../src/testing/nltest.js';

function setup(): { kernel: FakeRouteKernel; watch: LinkWatch; events: LinkEvent[] } {
  const kernel = new FakeRouteKernel();
  const { connection } = dial(kernel.func);
  const watch = LinkWatch.watch({ source: RouteClient.open(connection), socket: kernel.subscribe() });
  const events: LinkEvent[] = [];
  watch.on((e) => events.push(e));
  return { kernel, watch, events };
}

const brief = (e: LinkEvent): string => `${e.name} up=${e.up} carrier=${e.carrier} ${e.operstate}${e.removed ? ' removed' : ''}`;

describe('LinkWatch', () => {
  it('reports every link once at start, then each change as notified', async () => {
    const { kernel, watch, events } = setup();
    await watch.ready;
    assert.deepEqual(events.map(brief), ['lo up=true carrier=true up', 'eth0 up=true carrier=true up']);
    kernel.setLink('eth0', { carrier: false });
    kernel.setLink('eth0', { carrier: true });
    kernel.setLink('eth0', { up: false });
    kernel.addLink({ name: 'eth1', carrier: false });
    kernel.removeLink('eth1');
    assert.deepEqual(events.slice(2).map(brief), [
      'eth0 up=true carrier=false down',
      'eth0 up=true carrier=true up',
      'eth0 up=false carrier=true down',
      'eth1 up=true carrier=false down',
      'eth1 up=true carrier=false down removed',
    ]);
    assert.deepEqual([...watch.state().values()].map((e) => e.name), ['lo', 'eth0']);
    watch.close();
  });

  it('reports a link notified during the initial dump from the notification, not the older dump', async () => {
    const kernel = new FakeRouteKernel();
    const socket = kernel.subscribe();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = {
      links: async (): Promise<Link[]> => {
        const before = [...['lo', 'eth0'].map((n) => kernel.linkNamed(n) as Link)];
        await gate;
        return before;
      },
    };
    const watch = LinkWatch.watch({ source, socket });
    const events: LinkEvent[] = [];
    watch.on((e) => events.push(e));
    kernel.setLink('eth0', { carrier: false });
    release();
    await watch.ready;
    assert.deepEqual(events.map(brief), ['eth0 up=true carrier=false down', 'lo up=true carrier=true up']);
    watch.close();
  });

  it('reads the state again after the kernel dropped notifications (ENOBUFS), including links that vanished', async () => {
    const kernel = new FakeRouteKernel();
    const socket = kernel.subscribe();
    const { connection } = dial(kernel.func);
    kernel.addLink({ name: 'eth1' });
    const watch = LinkWatch.watch({ source: RouteClient.open(connection), socket });
    await watch.ready;
    const events: LinkEvent[] = [];
    watch.on((e) => events.push(e));
    socket.dropping = true;
    kernel.setLink('eth0', { carrier: false });
    kernel.removeLink('eth1');
    socket.dropping = false;
    socket.fail('ENOBUFS');
    await settle(5);
    assert.deepEqual(events.map(brief), ['eth1 up=true carrier=true up removed', 'lo up=true carrier=true up', 'eth0 up=true carrier=false down']);
    watch.close();
  });

  it('serves `for await` loops until closed', async () => {
    const { kernel, watch } = setup();
    await watch.ready;
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of watch) seen.push(brief(e));
    })();
    kernel.setLink('eth0', { carrier: false });
    kernel.setLink('eth0', { carrier: true });
    await settle();
    watch.close();
    await loop;
    assert.deepEqual(seen, ['eth0 up=true carrier=false down', 'eth0 up=true carrier=true up']);
  });

  it('reports a malformed notification and a failed first dump as errors', async () => {
    const socket = new FakeMulticastSocket();
    const watch = LinkWatch.watch({ source: { links: () => Promise.reject(new Error('dump failed')) }, socket });
    const errors: string[] = [];
    watch.onError((e) => errors.push(e.message));
    await assert.rejects(watch.ready, /dump failed/);
    socket.deliver(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17));
    socket.deliver(encodeMessage({ type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(4) }));
    socket.fail('EBADF');
    assert.equal(errors.length, 4);
    assert.match(errors[1] as string, /^watch links: malformed notification/);
    assert.match(errors[3] as string, /^watch links: recvmsg: EBADF/);
    watch.close();
    assert.equal(socket.closed, true);
  });

  it('ignores notifications that are not about links', async () => {
    const { watch, events } = setup();
    await watch.ready;
    const link = encodeLink({ index: 9, name: 'x', type: 1, mac: null, broadcast: null, mtu: 0, flags: 0, up: false, carrier: false, operstate: 'down' });
    (watch as unknown as { socket: FakeMulticastSocket }).socket.deliver(encodeMessage({ type: RTM.NEWADDR, flags: 0, seq: 0, pid: 0, payload: link }));
    assert.equal(events.length, 2);
    watch.close();
  });
});
