/**
 * The figure of npm run soak, as a self-contained SVG (no plotting dependency; GitHub renders it
 * from docs/benchmarks.md): memory above (RSS and heap used, with their least-squares lines from
 * minute 2), throughput below, on one time axis, with the minute-2 mark.
 */
import type { Fit } from './fit.ts';

export interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  /** Drawn dashed over [from, to] minutes. */
  fit?: { line: Fit; from: number; to: number };
}

const W = 960;
const LEFT = 70;
const RIGHT = 30;
const PANEL = 230;
const TOPS = [60, 60 + PANEL + 70];
const H = TOPS[1]! + PANEL + 60;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n1 = (x: number) => x.toFixed(1);

/** Round tick steps (1, 2 or 5 times a power of ten), about `count` of them up to `max`. */
function ticks(max: number, count: number): number[] {
  const raw = Math.max(max, 1e-9) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if ((out.at(-1) ?? 0) < max) out.push(Number(((out.at(-1) ?? 0) + step).toPrecision(12)));
  return out;
}

function panel(top: number, title: string, unit: string, series: Series[], minutes: number, mark: number): string {
  const ymax = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  const yt = ticks(ymax * 1.05, 5);
  const ytop = yt.at(-1) ?? ymax;
  const x = (m: number) => LEFT + ((W - LEFT - RIGHT) * m) / minutes;
  const y = (v: number) => top + PANEL - (PANEL * v) / ytop;
  const out: string[] = [`<text x="${LEFT}" y="${top - 12}" font-weight="bold">${esc(title)}</text>`];
  for (const v of yt) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n1(y(v))}" y2="${n1(y(v))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${LEFT - 8}" y="${n1(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  for (const m of ticks(minutes, Math.min(12, Math.max(2, minutes)))) {
    if (m > minutes + 1e-9) continue;
    out.push(`<line x1="${n1(x(m))}" x2="${n1(x(m))}" y1="${top + PANEL}" y2="${top + PANEL + 5}" stroke="#333"/>`);
    out.push(`<text x="${n1(x(m))}" y="${top + PANEL + 20}" text-anchor="middle">${m}</text>`);
  }
  out.push(`<rect x="${LEFT}" y="${top}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#333"/>`);
  out.push(`<text transform="translate(${LEFT - 50} ${top + PANEL / 2}) rotate(-90)" text-anchor="middle">${esc(unit)}</text>`);
  out.push(`<line x1="${n1(x(mark))}" x2="${n1(x(mark))}" y1="${top}" y2="${top + PANEL}" stroke="#888" stroke-dasharray="4 4"/>`);
  out.push(`<text x="${n1(x(mark) + 6)}" y="${top + PANEL - 8}" fill="#666">minute ${mark}: slopes from here</text>`);
  series.forEach((s, i) => {
    const d = s.points.map(([m, v], j) => `${j ? 'L' : 'M'}${n1(x(m))},${n1(y(v))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [m, v] of s.points) out.push(`<circle cx="${n1(x(m))}" cy="${n1(y(v))}" r="2" fill="${s.color}"/>`);
    if (s.fit) {
      const { line, from, to } = s.fit;
      const at = (m: number) => y(line.intercept + line.slope * m);
      out.push(`<line x1="${n1(x(from))}" y1="${n1(at(from))}" x2="${n1(x(to))}" y2="${n1(at(to))}" stroke="${s.color}" stroke-width="1.5" stroke-dasharray="8 4"/>`);
    }
    // Legends sit in a row above the panel, clear of the data.
    const lx = LEFT + 160 + i * 330;
    out.push(`<line x1="${lx}" x2="${lx + 25}" y1="${top - 16}" y2="${top - 16}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 32}" y="${top - 12}">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

/** The whole figure: `memory` series in MB above, `rate` series per second below. */
export function plot(title: string, memory: Series[], rate: Series[], minutes: number, mark: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>
${panel(TOPS[0]!, 'Gateway memory', 'MB', memory, minutes, mark)}
${panel(TOPS[1]!, 'Throughput', 'per second', rate, minutes, mark)}
<text x="${(LEFT + W - RIGHT) / 2}" y="${H - 12}" text-anchor="middle">minutes since the load began</text>
</svg>
`;
}
