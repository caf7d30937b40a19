import { benchAllInOne } from './all-in-one';
import { benchDistributed } from './distributed';
import { benchShipper } from './shipper';

/**
 * `npm run bench` (all-in-one, embedded store), `npm run bench -- --distributed`
 * (collector + ingest against real Kafka, ClickHouse and OpenSearch) or
 * `npm run bench -- --shipper [--backend embedded|opensearch]` (a log file
 * through `chainscope ship`). Figures are printed and written to bench-results/.
 */
const args = process.argv.slice(2);
const bench = args.includes('--shipper') ? benchShipper : args.includes('--distributed') ? benchDistributed : benchAllInOne;
bench(args).catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
