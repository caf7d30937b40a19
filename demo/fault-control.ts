/**
 * The faults control endpoint, served untraced by every demo service on its own
 * port: `GET /_demo/faults` lists the faults that are on, `POST /_demo/faults`
 * with a fault spec (demo/faults.ts) switches one on and answers its id,
 * `DELETE /_demo/faults?id=F1` switches one off (without id: all of them).
 */
import { FaultSwitchboard, parseFaultSpec } from './faults';
import { HttpError, type DemoService } from './runtime';

export const FAULTS_PATH = '/_demo/faults';

export function installFaultControl(service: DemoService, board: FaultSwitchboard): void {
  service.faults = board;
  service.internalRoute(FAULTS_PATH, async (method, body, query) => {
    if (method === 'GET') return { body: { faults: board.list() } };
    if (method === 'POST') {
      let id: string;
      try {
        id = board.set(parseFaultSpec(body));
      } catch (err) {
        throw new HttpError(400, (err as Error).message, 'bad_request');
      }
      return { status: 201, body: { id } };
    }
    if (method === 'DELETE') {
      const id = query.get('id');
      if (id === null) {
        board.clearAll();
        return { body: { cleared: 'all' } };
      }
      if (!board.clear(id)) throw new HttpError(404, `no fault ${id} is on`, 'not_found');
      return { body: { cleared: id } };
    }
    throw new HttpError(405, `${method} is not allowed on ${FAULTS_PATH}`, 'method_not_allowed');
  });
}
