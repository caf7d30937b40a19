import { readGroundTruth, type FaultSpec } from '../demo/faults';

/** How long a fault waits for its orders before it counts as timed out and is cleared. */
const FAULT_TIMEOUT_MS = 30_000;
/** Slots each lane rotates through, so an order touched by one fault (still in flight for seconds) is not eligible for the lane's next ones. */
export const SLOTS_PER_LANE = 3;

/** Order slots for `lanes` lanes: each lane's rotation, plus one slot no fault ever takes (healthy orders). */
export function faultSlotCount(lanes: number): number {
  return lanes * SLOTS_PER_LANE + 1;
}

/** What the injecting needs of the running demo. */
interface FaultableDemo {
  setFault(spec: FaultSpec): Promise<unknown>;
  clearFaults(id: string): Promise<unknown>;
}

/**
 * Injects `plan` one fault per lane at a time, `lanes` at once: each fault stays on until the demo's
 * ground truth shows `ordersPerFault` orders touched by it (or FAULT_TIMEOUT_MS), then is cleared.
 * Resolves with the number of faults that timed out.
 */
export async function injectFaultsInLanes(
  demo: FaultableDemo,
  plan: readonly (FaultSpec & { id: string })[],
  options: { lanes: number; ordersPerFault: number; groundTruthFile: string },
): Promise<number> {
  const { lanes, ordersPerFault, groundTruthFile } = options;
  const slots = faultSlotCount(lanes);
  let next = 0;
  let timedOut = 0;
  const runLane = async (lane: number) => {
    for (let round = 0; next < plan.length; round++) {
      const spec = { ...plan[next++], slot: { index: lane * SLOTS_PER_LANE + (round % SLOTS_PER_LANE), of: slots } };
      await demo.setFault(spec);
      const deadline = Date.now() + FAULT_TIMEOUT_MS;
      while (readGroundTruth(groundTruthFile).filter((g) => g.faultId === spec.id).length < ordersPerFault) {
        if (Date.now() > deadline) {
          timedOut++;
          break;
        }
        await sleep(200);
      }
      await demo.clearFaults(spec.id);
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(lane)));
  return timedOut;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
