import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import * as Shard from "../../src/plan/Shard.ts"

describe("Shard", () => {
  it("parses-i-of-n-from-one", () => {
    expect(Shard.parseShard("2/5")).toEqual({ _tag: "Ok", shard: { index: 2, count: 5 } })
    expect(Shard.parseShard(" 1 / 1 ")).toEqual({ _tag: "Ok", shard: { index: 1, count: 1 } })
    for (const bad of ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2", "1.5/2", "1/10001"]) {
      const parsed = Shard.parseShard(bad)
      expect(parsed._tag, bad).toBe("Error")
      if (parsed._tag === "Error") expect(parsed.message).toMatch(/--shard must be i\/n/)
    }
  })

  it("shards-are-disjoint-balanced-and-together-the-whole-job", () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 40 }), (m, n) => {
        const items = Array.from({ length: m }, (_, i) => i)
        const parts = Array.from({ length: n }, (_, i) => Shard.select(items, { index: i + 1, count: n }))
        const sizes = parts.map((p) => p.length)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        expect(parts.flat().sort((a, b) => a - b)).toEqual(items)
        for (const part of parts) expect([...part].sort((a, b) => a - b)).toEqual(part)
      })
    ))

  it("the-same-shard-always-gets-the-same-exports", () => {
    const items = ["a", "b", "c", "d", "e", "f", "g"]
    expect(Shard.select(items, { index: 2, count: 3 })).toEqual(["b", "e"])
    expect(Shard.select(items, { index: 2, count: 3 })).toEqual(Shard.select([...items], { index: 2, count: 3 }))
    expect(Shard.select(items, Shard.whole)).toEqual(items)
  })
})
