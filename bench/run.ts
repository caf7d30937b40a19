import { benchAllInOne } from './all-in-one';
import { benchDistributed } from './distributed';
import { benchLogSearch } from './log-search';
import { benchShipper } from './shipper';

/**
 * `npm run bench` (all-in-one, embedded store), `npm run bench -- --distributed`
 * (collector + ingest against real Kafka, ClickHouse and OpenSearch) or
 * `npm run bench -- --shipper [--backend embedded|opensearch]` (a log file
 * through `chainscope ship`) or `npm run bench -- --log-search [lines] [--opensearch]`
 * (search, histogram and facet latency over millions of stored lines).
 * Figures are printed and written to bench-results/.
 */
const args = process.argv.slice(2);
const bench = args.includes('--shipper')
  ? benchShipper
  : args.includes('--log-search')
    ? benchLogSearch
    : args.includes('--distributed')
      ? benchDistributed
      : benchAllInOne;
bench(args).catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
