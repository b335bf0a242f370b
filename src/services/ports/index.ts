/**
 * The interfaces services need from the outside world, one file per concept. Adapters in storage/, security/,
 * workers/ and telemanagement/ implement them; main/ wires one implementation of each.
 */
export type * from './runtime.js';
export type * from './stores.js';
export type * from './supply-point.store.js';
export type * from './association.store.js';
export type * from './request.store.js';
export type * from './bulk-upload.store.js';
export type * from './participant.store.js';
export type * from './token.store.js';
export type * from './operation.store.js';
export type * from './idempotency.store.js';
export type * from './onboarding.store.js';
export type * from './credential.store.js';
export type * from './kpi-report.store.js';
export type * from './kpi-compute.store.js';
export type * from './kpi-figure.store.js';
export type * from './request-workflow.js';
export type * from './head-end.js';
export type * from './collection.js';
export type * from './collection.store.js';
