// `@nongbao/protocol/release`: the release bundle every party shares (issue
// 13 section 3): the operators' tools make and sign it, the server publishes
// and serves it, the kiosk verifies, unpacks and checks it again before it
// runs anything from it. Node-only (files, crypto), hence not in the
// protocol's main entry, which the kiosk UI bundles. docs/updates.md
// describes the format and the rules.
export * from './errors.js';
export * from './version.js';
export * from './canonical.js';
export * from './manifest.js';
export * from './keys.js';
export * from './bundle.js';
export * from './archive-paths.js';
export * from './archive.js';
export * from './unpack.js';
export * from './pack.js';
export * from './verify.js';
export * from './tools.js';
