import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { otlpMethodPath } from '../../collector/otlp-grpc/services';
import { rawRequest } from './raw-http';

/** One OTLP/gRPC trace Export to `grpcUrl` (http://host:port) with `authorization` metadata (none when undefined): the error, or null when taken. */
export function grpcExportWith(grpcUrl: string, authorization: string | undefined, request = Buffer.alloc(0)): Promise<ServiceError | null> {
  const client = new Client(new URL(grpcUrl).host, credentials.createInsecure());
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return new Promise((resolve) => {
    client.makeUnaryRequest(otlpMethodPath('traces'), (b: Buffer) => b, (b: Buffer) => b, request, metadata, (error) => {
      client.close();
      resolve(error);
    });
  });
}

/** POST /api/session with `token`: the answer, its Set-Cookie, the `name=value` to send back, and the JSON body when 200. */
export async function uiLogin(apiUrl: string, token: string) {
  const answer = await rawRequest(`${apiUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const cookie = String(answer.headers['set-cookie']?.[0] ?? '');
  return { answer, cookie, session: cookie.split(';')[0], body: answer.status === 200 ? JSON.parse(answer.body) : undefined };
}
