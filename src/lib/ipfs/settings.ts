/**
 * The UnixFS settings that make our CIDs equal to kubo's `ipfs add --cid-version=1 --raw-leaves`:
 * CIDv1, raw leaves, fixed 262,144-byte chunks, balanced DAG with at most 174 links per node.
 * (`@helia/unixfs` 8 defaults differ, so every import passes these explicitly.)
 */
export const CHUNK_SIZE = 262_144;
export const MAX_CHILDREN_PER_NODE = 174;
