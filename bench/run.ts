import { benchAllInOne } from './all-in-one';
import { benchBigTrace } from './big-trace';
import { benchDashboards } from './dashboards';
import { benchDistributed } from './distributed';
import { benchIngestPath } from './ingest-path';
import { benchWalPages } from './wal-pages';
import { benchKill } from './kill';
import { benchLogSearch } from './log-search';
import { benchPeers } from './peers';
import { benchReceivers } from './receivers';
import { benchRetention } from './retention';
import { benchServiceGraph } from './service-graph';
import { benchShipper } from './shipper';
import { benchWal } from './wal';
import { benchWhySlow } from './why-slow';
import { benchRca } from './rca';
import { benchRcaDetect } from './rca-detect';
import { benchOtlpMetrics } from './otlp-metrics';

/**
 * `npm run bench` (all-in-one, embedded store), `npm run bench -- --distributed`
 * (collector + ingest against real Kafka, ClickHouse and OpenSearch) or
 * `npm run bench -- --shipper [--backend embedded|opensearch]` (a log file
 * through `chainscope ship`) or `npm run bench -- --log-search [lines] [--opensearch]`
 * (search, histogram and facet latency over millions of stored lines) or
 * `npm run bench -- --retention [--spans N] [--max-mib M]` (embedded store write
 * throughput while retention deletes by age and by size) or `npm run bench -- --wal [--seconds 3]`
 * (write-ahead log publish latency and throughput with fdatasync group commit) or
 * `npm run bench -- --why-slow [--faults 50]` (injected demo faults vs the chain bottleneck the API names) or
 * `npm run bench -- --rca [--faults 50] [--seed N]` (injected demo faults vs the root-cause ranking of GET /api/rca, top-1/top-3) or
 * `npm run bench -- --rca --detect [--faults 50] [--seed N]` (faults one at a time vs the shipped alert rules: detection rate, time to detect, top-1/top-3) or
 * `npm run bench -- --rca --healthy [--minutes 30]` (the shipped alert rules on a healthy demo: false alerts per hour) or
 * `npm run bench -- --kill [--kills 5] [--bus wal|memory]` (kill -9 at full speed: acknowledged − stored, spans and logs) or
 * `npm run bench -- --ingest [--spans 200000] [--rounds 3]` (the ingest thread's work alone: CPU µs per span) or
 * `npm run bench -- --wal-pages [--spans 1000000]` (the pages the span write makes SQLite write, per table and index) or
 * `npm run bench -- --service-graph [--spans 1000000] [--shape bench|paired] [--rounds 3]` (the service graph's pairing alone: CPU µs per span) or
 * `npm run bench -- --peers [--spans 300000] [--rounds 3]` (Chainscope against Jaeger v2 and Zipkin 3 on the same load) or
 * `npm run bench -- --big-trace [--spans 20000]` (one big trace by id: bytes and time, identity/gzip/br) or
 * `npm run bench -- --metrics [--store embedded|clickhouse] [--points 200000] [--rounds 2]` (OTLP metric points/s over OTLP/HTTP into one all-in-one, accepted and stored) or
 * `npm run bench -- --grpc [--spans 200000] [--rounds 2]` (spans/s over OTLP/HTTP, OTLP/gRPC and Zipkin into one all-in-one, alternating) or
 * `npm run bench -- --dashboards [--backend embedded|clickhouse] [--spans 1000000] [--refreshes 30]` (server time of a full wall-screen refresh, Order center and Service health over the last hour).
 * Figures are printed and written to bench-results/.
 */
const args = process.argv.slice(2);
const bench = args.includes('--dashboards')
  ? benchDashboards
  : args.includes('--peers')
  ? benchPeers
  : args.includes('--grpc')
  ? benchReceivers
  : args.includes('--big-trace')
  ? benchBigTrace
  : args.includes('--kill')
  ? benchKill
  : args.includes('--ingest')
  ? benchIngestPath
  : args.includes('--service-graph')
  ? benchServiceGraph
  : args.includes('--rca') && (args.includes('--detect') || args.includes('--healthy'))
  ? benchRcaDetect
  : args.includes('--rca')
  ? benchRca
  : args.includes('--metrics')
  ? benchOtlpMetrics
  : args.includes('--why-slow')
  ? benchWhySlow
  : args.includes('--wal-pages')
  ? benchWalPages
  : args.includes('--wal')
  ? benchWal
  : args.includes('--retention')
  ? benchRetention
  : args.includes('--shipper')
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
