/** The file shipper (`chainscope ship`, and LOG_PATHS in the all-in-one). See docs/shipper.md. */
export { Shipper } from './shipper';
export { parseShipArgs, shipperOptionsFromConfig, ShipUsageError, SHIP_USAGE } from './cli';
export { SHIPPER_DEFAULTS, MULTILINE_DEFAULTS } from './options';
export type { ShipperOptions, ShipperSource } from './options';
export { parseParserSpec } from './parsers';
export { escapeGlob } from './glob';
export { parseServiceRule, MAX_SERVICE_NAME_LENGTH } from './service-name';
export type { ServiceRule } from './service-name';
