import { benchAllInOne } from './all-in-one';
import { benchDistributed } from './distributed';

/**
 * `npm run bench` (all-in-one, embedded store) or `npm run bench -- --distributed`
 * (collector + ingest against real Kafka, ClickHouse and OpenSearch).
 * Figures are printed and written to bench-results/.
 */
const args = process.argv.slice(2);
(args.includes('--distributed') ? benchDistributed(args) : benchAllInOne(args)).catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
