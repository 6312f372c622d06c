// The migration type and checksum are the protocol's (every engine's); index.ts exports them from here.
export { migrationChecksum, type Migration } from '@skills/protocol';
