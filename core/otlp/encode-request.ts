import { groupByResourceAndScope, type Groupable } from './group-by-resource';
import { ProtoSink, writeResourceBody, writeScopeBody } from './proto-writer';

/**
 * The envelope both export requests share: ExportTraceServiceRequest and
 * ExportLogsServiceRequest are `repeated Resource{Spans|Logs} = 1`, each with
 * `resource = 1` and `repeated Scope{Spans|Logs} = 2`, each with `scope = 1`
 * and `repeated {Span|LogRecord} = 2`. Only the item body differs.
 */
export function encodeGroupedRequest<T extends Groupable>(
  items: readonly T[],
  writeItemBody: (w: ProtoSink, item: T) => void,
): Uint8Array {
  const w = new ProtoSink(spare ?? INITIAL_BYTES);
  spare = undefined;
  for (const group of groupByResourceAndScope(items)) {
    const resourceGroup = w.varint(10).begin();
    const resource = w.varint(10).begin();
    writeResourceBody(w, group.resource);
    w.end(resource);
    for (const scopeGroup of group.scopes) {
      const scopeItems = w.varint(18).begin();
      const scope = w.varint(10).begin();
      writeScopeBody(w, scopeGroup.scope);
      w.end(scope);
      for (const item of scopeGroup.items) {
        const mark = w.varint(18).begin();
        writeItemBody(w, item);
        w.end(mark);
      }
      w.end(scopeItems);
    }
    w.end(resourceGroup);
  }
  const bytes = w.finish();
  // Encoding is synchronous, so one buffer serves every call: growing a fresh one to ~1 MiB per request was most of the encoder's garbage.
  const buf = w.release();
  if (buf.length <= MAX_SPARE_BYTES) spare = buf;
  return bytes;
}

const INITIAL_BYTES = 64 * 1024;
const MAX_SPARE_BYTES = 8 * 1024 * 1024;
let spare: Buffer | undefined;
