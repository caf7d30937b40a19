/**
 * The query API's wire types: the bodies /api/* answers with, in one place.
 * Routes and services declare what they send with these types, and the
 * browser UI imports them with `import type`, so the two cannot drift.
 * Type-only: nothing here (or in what it imports) may reach the UI bundle,
 * which test/unit/ui/bundle.test.ts checks.
 */
export type * from './chains';
export type * from './dashboards';
export type * from './errors';
export type * from './health';
export type * from './incidents';
export type * from './logs';
export type * from './metrics';
export type * from './settings';
export type * from './topology';
export type * from './traces';
