/**
 * The store contract: one test suite that every store engine passes. Call
 * {@link describeStoreContract} from a test file of the engine's package.
 *
 * @packageDocumentation
 */
export { describeStoreContract, type ContractStore, type FreshStore } from './contract.js';
export { asStored, at, completion, finishedRecord, pendingRecord } from './records.js';
export { byBytes, recount, type Recount } from './recount.js';
