import { changedBands, drawnAlready, drawnColumn, SHADE_STEPS, shadeStep, type DrawnColumn } from '../../../ui/src/screens/heatmapColumns';

/** A column's cells as the screen shows them (band → count and shade step), after setting the `changedBands` of each drawing in turn. */
function applyDrawings(drawings: readonly DrawnColumn[]): Map<number, [number, number]> {
  const shown = new Map<number, [number, number]>();
  let before: DrawnColumn | undefined;
  for (const after of drawings) {
    if (!drawnAlready(before, after.counts, after.maxCount)) {
      for (const band of changedBands(before, after)) {
        if (after.steps[band] < 0) shown.delete(band);
        else shown.set(band, [after.counts[band], after.steps[band]]);
      }
    }
    before = after;
  }
  return shown;
}

describe('heatmap columns', () => {
  it('a shade step per cell from one call (0) to the fullest (SHADE_STEPS), none for an empty band', () => {
    expect(shadeStep(100, 100)).toBe(SHADE_STEPS);
    expect(shadeStep(1, 100)).toBe(0);
    expect(shadeStep(10, 100)).toBe(SHADE_STEPS / 2);
    expect(shadeStep(0, 100)).toBe(-1);
    expect(drawnColumn([0, 3, 9], 9)).toEqual({ counts: [0, 3, 9], steps: [-1, SHADE_STEPS / 2, SHADE_STEPS], maxCount: 9 });
  });

  it('a minute drawn on the same scale with the same counts is left alone; a new count or scale is not', () => {
    const drawn = drawnColumn([0, 3, 9], 9);
    expect(drawnAlready(drawn, [0, 3, 9], 9)).toBe(true);
    expect(drawnAlready(drawn, [0, 4, 9], 9)).toBe(false);
    expect(drawnAlready(drawn, [0, 3, 9], 10)).toBe(false);
    expect(drawnAlready(drawn, [0, 3, 9, 0], 9)).toBe(false);
    expect(drawnAlready(undefined, [0, 3, 9], 9)).toBe(false);
  });

  it('the current minute: only the bands whose count changed', () => {
    expect(changedBands(drawnColumn([5, 0, 2, 0], 50), drawnColumn([6, 1, 2, 0], 50))).toEqual([0, 1]);
    // a band emptied is changed too (its cell goes)
    expect(changedBands(drawnColumn([5, 3], 50), drawnColumn([5, 0], 50))).toEqual([1]);
    // nothing drawn: every band with a cell
    expect(changedBands(undefined, drawnColumn([5, 0, 2], 50))).toEqual([0, 2]);
  });

  it('a rescale changes only the cells whose shade step moved', () => {
    const before = drawnColumn([1, 30, 1000], 1000);
    const after = drawnColumn([1, 30, 1000], 1001);
    // one call stays the darkest, the fullest of the old scale nearly so; only a middle shade may move
    expect(changedBands(before, after).every((band) => before.steps[band] !== after.steps[band])).toBe(true);
    expect(changedBands(before, after)).not.toContain(0);
    expect(changedBands(before, drawnColumn([1, 30, 1000], 1_000_000))).toEqual([1, 2]);
  });

  it('a column updated in place push after push shows what a fresh drawing of the last push shows', () => {
    // a minute filling up while another minute's fullest cell sets the scale, then outgrowing it
    const pushes: [number[], number][] = [
      [[0, 0, 0, 0], 40],
      [[3, 0, 0, 0], 40],
      [[3, 1, 0, 0], 40],
      [[9, 1, 0, 2], 40],
      [[9, 1, 0, 2], 40],
      [[20, 0, 1, 2], 40],
      [[41, 0, 1, 2], 41],
      [[80, 0, 1, 7], 80],
      [[80, 0, 1, 7], 300],
    ];
    const drawings = pushes.map(([counts, max]) => drawnColumn(counts, max));
    for (let n = 1; n <= drawings.length; n++) {
      const inPlace = applyDrawings(drawings.slice(0, n));
      const fresh = applyDrawings([drawings[n - 1]]);
      expect(inPlace).toEqual(fresh);
    }
    expect(applyDrawings(drawings)).toEqual(
      new Map([
        [0, [80, shadeStep(80, 300)]],
        [2, [1, 0]],
        [3, [7, shadeStep(7, 300)]],
      ]),
    );
  });
});
