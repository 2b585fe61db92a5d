/**
 * Generic netlink: the genlmsghdr, requests to a family, and family lookup through nlctrl
 * (cached per connection).
 */
import { AttributeEncoder, decodeAttributes } from './attributes.js';
import type { NetlinkTransport } from './connection.js';
import { CTRL_ATTR, CTRL_CMD, GENL_HDRLEN, GENL_ID_CTRL, NLM_F } from './constants.js';
import { NetlinkError, NetlinkProtocolError } from './errors.js';
import type { NetlinkMessage } from './message.js';

/** GENL_NAMSIZ is the size of a family name buffer in the kernel, NUL included. */
const GENL_NAMSIZ = 16;

/** GenlMessage is a generic netlink message body: command, version and attributes. */
export interface GenlMessage {
  readonly cmd: number;
  readonly version: number;
  readonly attributes: Uint8Array;
}

/** encodeGenl renders a genlmsghdr followed by attributes. */
export function encodeGenl(m: GenlMessage): Uint8Array {
  const out = new Uint8Array(GENL_HDRLEN + m.attributes.length);
  out[0] = m.cmd;
  out[1] = m.version;
  out.set(m.attributes, GENL_HDRLEN);
  return out;
}

/** decodeGenl reads a genlmsghdr and the attributes after it. */
export function decodeGenl(m: NetlinkMessage): GenlMessage {
  if (m.payload.length < GENL_HDRLEN) throw new NetlinkProtocolError(`generic netlink message of ${m.payload.length} bytes`);
  return { cmd: m.payload[0] as number, version: m.payload[1] as number, attributes: m.payload.subarray(GENL_HDRLEN) };
}

/** Family is a resolved generic netlink family. */
export interface Family {
  readonly name: string;
  readonly id: number;
  readonly version: number;
}

/** GenericNetlink sends generic netlink requests and resolves families by name. */
export class GenericNetlink {
  private readonly families = new Map<string, Promise<Family>>();

  constructor(readonly transport: NetlinkTransport) {}

  /** family resolves a family by name once; a failed lookup is not cached. */
  family(name: string): Promise<Family> {
    let cached = this.families.get(name);
    if (cached === undefined) {
      cached = this.lookup(name);
      this.families.set(name, cached);
      cached.catch(() => this.families.delete(name));
    }
    return cached;
  }

  private async lookup(name: string): Promise<Family> {
    if (new TextEncoder().encode(name).length > GENL_NAMSIZ - 1)
      throw new NetlinkError(`resolve generic netlink family ${name}`, 22, `resolve generic netlink family ${name}: names are at most ${GENL_NAMSIZ - 1} bytes`);
    const attributes = new AttributeEncoder().string(CTRL_ATTR.FAMILY_NAME, name).encode();
    const replies = await this.request(`resolve generic netlink family ${name}`, GENL_ID_CTRL, { cmd: CTRL_CMD.GETFAMILY, version: 1, attributes }, NLM_F.ACK);
    let id = 0;
    let version = 0;
    for (const reply of replies)
      decodeAttributes(reply.attributes, (d) => {
        while (d.next()) {
          if (d.type() === CTRL_ATTR.FAMILY_ID) id = d.u16();
          else if (d.type() === CTRL_ATTR.VERSION) version = d.u32();
        }
      });
    if (id === 0) throw new NetlinkError(`resolve generic netlink family ${name}`, 2, `nlctrl gave no id for family ${name}`);
    return { name, id, version };
  }

  /** request sends one generic netlink message to a family id and decodes the replies. */
  async request(operation: string, familyId: number, message: GenlMessage, flags: number, timeoutMs?: number): Promise<GenlMessage[]> {
    const replies = await this.transport.execute({ operation, type: familyId, flags, payload: encodeGenl(message), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    return replies.map(decodeGenl);
  }
}
