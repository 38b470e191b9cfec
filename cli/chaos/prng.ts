// A small seeded PRNG for the chaos run (issue 11 section 7: "the same seed
// replays the same schedule"). mulberry32, as the demo county uses: 32 bits of
// state, fast, and well known; the run needs reproducibility, not secrecy.

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One of `items`. */
  pick<T>(items: readonly T[]): T;
  /** A copy of `items` in a seeded order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** A fresh 32-bit seed for a sub-stream (a visit's note split). */
  seed(): number;
}

export function prng(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    seed: () => Math.floor(next() * 4294967296) >>> 0,
  };
}
