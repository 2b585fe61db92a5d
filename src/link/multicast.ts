/**
 * The real rtnetlink notification socket: a `netlink` package RawNetlinkSocket (NETLINK_ROUTE)
 * that joined multicast groups with addMembership. Kept apart from the request connection
 * because notifications carry no sequence number to match; decoding is ours (message.ts, codec.ts).
 */
import { RawNetlinkSocket } from 'netlink';
import { NETLINK_ROUTE } from '../netlink/constants.js';
import { guardListener } from '../netlink/socket.js';

/** RECV_BUFFER holds a burst of notifications (a flapping bond, many links) without ENOBUFS. */
const RECV_BUFFER = 4 * 1024 * 1024;

/** MulticastSocket is the little a LinkWatch needs: datagrams in, errors (ENOBUFS: notifications lost), close. */
export interface MulticastSocket {
  onDatagram(fn: (datagram: Uint8Array) => void): void;
  onError(fn: (err: Error & { code?: string }) => void): void;
  close(): void;
}

/** openRouteMulticast opens a NETLINK_ROUTE socket that receives the given RTNLGRP_* groups. */
export function openRouteMulticast(groups: readonly number[]): MulticastSocket {
  const raw = new RawNetlinkSocket(NETLINK_ROUTE, { recvBufferSize: RECV_BUFFER, sendBufferSize: 64 * 1024 });
  try {
    for (const g of groups) raw.addMembership(g);
  } catch (err) {
    raw.close();
    throw err;
  }
  let closed = false;
  return {
    onDatagram: (fn) => {
      raw.on('message', guardListener('rtnetlink', 'notification', (msg: Buffer) => fn(msg)));
    },
    onError: (fn) => {
      raw.on('error', guardListener('rtnetlink', 'error', (err: Error) => fn(err)));
    },
    close: () => {
      if (closed) return;
      closed = true;
      raw.close();
    },
  };
}
