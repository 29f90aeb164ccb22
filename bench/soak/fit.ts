/**
 * The least-squares line npm run soak judges memory growth by: report.ts takes its slope as the
 * verdict, plot.ts draws it over the samples. Apart from both, so that neither imports the other.
 */

export interface Fit {
  slope: number;
  intercept: number;
  r2: number;
  n: number;
}

/** Ordinary least squares of y on x. */
export function fit(points: Array<[number, number]>): Fit {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx, r2: sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : 0, n };
}
