/**
 * The engine's page cache reuses the memory of large pages, but only once a page has left the LRU and every
 * response it was lent to has released it: a page still being sent is never overwritten.
 */
import { describe, expect, it } from "vitest"
import { Engine } from "../src/internal/Engine.ts"
import { orderColumns } from "../src/internal/Orders.ts"
import { QueryError } from "../src/internal/Query.ts"
import { renderRows } from "../src/internal/ResultSet.ts"

/** 12 000 rows of all columns are about 1.2 MB: large enough to be recycled. */
const rows = 12_000

const setup = () => {
  // Room for two such pages in the LRU.
  const engine = new Engine(1, 1_000_000, "America/Los_Angeles", false, "beyond-2^53", 3 << 20)
  const plan = engine.parse(orderColumns.map((c) => `[${c.name}]`).join(" "))
  if (plan instanceof QueryError) throw new Error(plan.message)
  const result = engine.result(plan)
  if (result instanceof QueryError) throw new Error(result.message)
  const page = (n: number) => engine.page(plan, result, n * rows, (n + 1) * rows, "COMPACT")
  const fresh = (n: number) => renderRows(result, n * rows, (n + 1) * rows, "COMPACT")
  return { engine, page, fresh }
}

describe("page cache", () => {
  it("page-memory-is-reused-after-release-and-eviction-with-identical-bytes", () => {
    const { engine, page, fresh } = setup()
    const a = page(0)
    const aText = a.toString("latin1")
    engine.release(a)
    page(1)
    page(2) // evicts page 0, released: its memory becomes spare
    const d = page(3)
    expect(d.buffer === a.buffer).toBe(true)
    expect(d.equals(fresh(3))).toBe(true)
    expect(aText).toBe(fresh(0).toString("latin1"))
  })

  it("a-page-still-lent-is-never-overwritten", () => {
    const { engine, page, fresh } = setup()
    const a = page(0)
    const before = Buffer.from(a)
    for (let n = 1; n <= 6; n++) engine.release(page(n)) // page 0 leaves the LRU while still lent
    expect(a.equals(before)).toBe(true)
    const lent = page(7)
    engine.release(a) // now it may be reused
    const next = page(8)
    expect(next.buffer === a.buffer).toBe(true)
    expect(next.equals(fresh(8))).toBe(true)
    expect(lent.equals(fresh(7))).toBe(true)
  })

  it("a-page-lent-twice-is-reused-only-after-both-releases", () => {
    const { engine, page } = setup()
    const a = page(0)
    expect(page(0) === a).toBe(true) // an LRU hit lends the same buffer again
    engine.release(a)
    page(1)
    page(2) // page 0 leaves the LRU, still lent once
    expect(page(3).buffer === a.buffer).toBe(false)
    engine.release(a)
    expect(page(4).buffer === a.buffer).toBe(true)
  })
})
