export * from './ast';
export * from './errors';
export { FIELD_NAME, LOGQL_LIMITS, SEVERITY_LEVELS, parseLogQuery } from './parser';
export { matchesLogQuery } from './evaluate';
