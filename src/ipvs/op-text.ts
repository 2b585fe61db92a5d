/**
 * One kernel operation of a plan as an operator reads it: the operation's name followed by the
 * ipvsadm arguments that would do the same ("edit-service -t 10.0.0.1:80 -s wlc",
 * "add-destination -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1"). lvsd -v logs one per operation sent.
 */
import { destinationAddress, destinationRule, serviceOption, serviceRule } from './format.js';
import type { IpvsOp } from './reconcile.js';

/** describeOp renders an operation as its name and ipvsadm-style arguments. */
export function describeOp(op: IpvsOp): string {
  switch (op.kind) {
    case 'add-service':
    case 'edit-service':
      return `${op.kind} ${serviceRule(op.service)}`;
    case 'delete-service':
      return `${op.kind} ${serviceOption(op.key)}`;
    case 'add-destination':
    case 'edit-destination':
      return `${op.kind} ${serviceOption(op.key)} ${destinationRule(op.destination)}`;
    case 'delete-destination':
      return `${op.kind} ${serviceOption(op.key)} -r ${destinationAddress(op.destination)}`;
  }
}
