/**
 * Generic netlink fakes on top of nltest: serveFamily answers nlctrl's family lookup for one
 * family and hands that family's requests, decoded, to a handler.
 */
import { AttributeEncoder, decodeAttributes } from '../netlink/attributes.js';
import { CTRL_ATTR, CTRL_CMD, GENL_ID_CTRL, NLM_F } from '../netlink/constants.js';
import { decodeGenl, encodeGenl, type GenlMessage } from '../netlink/genl.js';
import type { NetlinkMessage } from '../netlink/message.js';
import { ack, errno, reply, type NetlinkFunc } from './nltest.js';

/** GenlHandler answers one request of the served family. */
export type GenlHandler = (message: GenlMessage, request: NetlinkMessage) => NetlinkMessage[] | Promise<NetlinkMessage[]>;

/** serveFamily fakes a kernel that has exactly one generic netlink family. */
export function serveFamily(family: { name: string; id: number; version: number }, handler: GenlHandler): NetlinkFunc {
  return (request) => {
    if (request.type === GENL_ID_CTRL) {
      const m = decodeGenl(request);
      let name = '';
      decodeAttributes(m.attributes, (d) => {
        while (d.next()) if (d.type() === CTRL_ATTR.FAMILY_NAME) name = d.string();
      });
      if (m.cmd !== CTRL_CMD.GETFAMILY || name !== family.name) return [errno(request, 2)];
      const attributes = new AttributeEncoder()
        .string(CTRL_ATTR.FAMILY_NAME, family.name)
        .u16(CTRL_ATTR.FAMILY_ID, family.id)
        .u32(CTRL_ATTR.VERSION, family.version)
        .encode();
      const answer = reply(request, encodeGenl({ cmd: 1, version: 2, attributes }), GENL_ID_CTRL);
      return (request.flags & NLM_F.ACK) !== 0 ? [answer, ack(request)] : [answer];
    }
    if (request.type !== family.id) return [errno(request, 2)];
    return handler(decodeGenl(request), request);
  };
}

/** genlReply builds a reply message of a family carrying a generic netlink body. */
export function genlReply(request: NetlinkMessage, message: GenlMessage, flags = 0): NetlinkMessage {
  return reply(request, encodeGenl(message), request.type, flags);
}
