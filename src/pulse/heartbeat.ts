/** Placeholder until the heartbeat codec lands: the peer states of an extended heartbeat. */
export type PeerState = 'active' | 'inactive' | 'failed' | 'stopping';
