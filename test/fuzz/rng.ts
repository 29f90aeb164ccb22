/**
 * The fuzzer's only source of randomness, so that a seed names the same requests on every run, and
 * the odd characters and strings that more than one family of requests draws from.
 */

/** A seeded PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  subset<T>(items: readonly T[], min = 1): T[] {
    const chosen = items.filter(() => this.bool());
    while (chosen.length < min) chosen.push(this.pick(items));
    return chosen;
  }
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

// Text that more than one family draws from.
export const HEADER_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const ODD_ASCII = ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\t';

export const UNICODE_SAMPLES = [
  'héllo wörld',
  '日本語のジョブ',
  '🚀🔥 rocket',
  'مرحبا بالعالم',
  'e\u0301\u0301\u0301',
  'zero\u0000byte',
  '\uFEFFbom',
  'rtl\u202Eoverride',
  'Straße',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u2028line\u2029sep',
  '😀'.repeat(64),
  '😀'.repeat(65),
  'a'.repeat(64),
  'a'.repeat(65),
  '',
  ' ',
  '%00%2e%2e/..',
  "'; DROP TABLE jobs; --",
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
];
