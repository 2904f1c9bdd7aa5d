/**
 * Seeded, stateless pseudo-randomness: every generated value is a pure function of (seed, row index, stream),
 * so any row can be produced on its own, in any order, without materializing the table.
 */

/** Murmur3's 32-bit finalizer: a cheap avalanche mix of one 32-bit integer. */
export const mix32 = (x: number): number => {
  let h = x | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A 32-bit hash of (seed, index, stream); `index` may exceed 2^32 (the high part is folded in). */
export const hash3 = (seed: number, index: number, stream: number): number =>
  mix32((index | 0) ^ mix32(seed ^ Math.imul(stream + 1, 0x9e3779b9) ^ Math.floor(index / 4294967296)))

/** FNV-1a over a string, for stable ids derived from names. */
export const fnv1a = (text: string, basis = 0x811c9dc5): number => {
  let h = basis >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** A GUID-shaped id that depends only on `name` (objects keep their ids across seeds and restarts). */
export const stableGuid = (name: string): string => {
  const parts = [fnv1a(name), fnv1a(name, 0x12345678), fnv1a(name, 0x9abcdef0), fnv1a(name, 0x0badf00d)]
  const hex = parts.map((p) => p.toString(16).padStart(8, "0")).join("")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
