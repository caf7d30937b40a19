import { UnsupportedMediaTypeError } from '../../core/errors';

export type OtlpFormat = 'proto' | 'json';

/** Maps a Content-Type header to the OTLP encoding it names; anything else is a 415. */
export function otlpFormatOf(contentType: string | undefined): OtlpFormat {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'proto';
  if (mime === 'application/json') return 'json';
  throw new UnsupportedMediaTypeError(
    `unsupported Content-Type "${contentType ?? ''}": OTLP/HTTP takes application/x-protobuf or application/json`,
  );
}

export function contentTypeOf(format: OtlpFormat): string {
  return format === 'proto' ? 'application/x-protobuf' : 'application/json';
}
