import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { FileNameAllocator, sanitizeFileName } from "../src/plan/FileName.ts"

describe("sanitizeFileName", () => {
  it("path-traversal-and-separators-cannot-escape-the-directory", () => {
    expect(sanitizeFileName("../../etc/passwd")).toBe("_.._etc_passwd")
    expect(sanitizeFileName("..")).toBe("untitled")
    expect(sanitizeFileName("a\\b/c")).toBe("a_b_c")
    expect(sanitizeFileName(".hidden")).toBe("hidden")
  })

  it("control-and-invisible-characters-are-removed", () => {
    expect(sanitizeFileName("Sales\u0000\u0007 by\nRegion\u202e")).toBe("Sales__ by_Region")
    expect(sanitizeFileName("tab\there")).toBe("tab_here")
  })

  it("windows-reserved-names-and-characters-are-made-safe", () => {
    expect(sanitizeFileName("CON")).toBe("_CON")
    expect(sanitizeFileName("lpt1.txt")).toBe("_lpt1.txt")
    expect(sanitizeFileName("CONIN$")).toBe("_CONIN$")
    expect(sanitizeFileName("conout$.log")).toBe("_conout$.log")
    expect(sanitizeFileName('Q1: "Revenue" <EU>?')).toBe("Q1_ _Revenue_ _EU__")
    expect(sanitizeFileName("trailing dots...")).toBe("trailing dots")
  })

  it("unicode-names-survive-and-long-names-are-cut-on-a-character-boundary", () => {
    expect(sanitizeFileName("Umsatz für März — 東京")).toBe("Umsatz für März — 東京")
    const long = sanitizeFileName("東".repeat(200))
    expect(Buffer.byteLength(long, "utf8")).toBeLessThanOrEqual(150)
    expect(long).toBe("東".repeat(50))
  })

  it("any-input-gives-a-plain-file-name", () =>
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (name) => {
        const safe = sanitizeFileName(name)
        expect(safe.length).toBeGreaterThan(0)
        expect([...safe].some((c) => c === "/" || c === "\\" || c.charCodeAt(0) < 0x20)).toBe(false)
        expect(safe.startsWith(".")).toBe(false)
        expect(Buffer.byteLength(safe, "utf8")).toBeLessThanOrEqual(150)
      })
    ))
})

describe("FileNameAllocator", () => {
  it("collisions-get-numbered-in-allocation-order-case-insensitively", () => {
    const names = new FileNameAllocator()
    names.reserve("manifest.json")
    expect(names.allocate("Sales", "csv")).toBe("Sales.csv")
    expect(names.allocate("sales", "csv")).toBe("sales (2).csv")
    expect(names.allocate("Sales/", "csv")).toBe("Sales_.csv")
    expect(names.allocate("SALES", "csv")).toBe("SALES (3).csv")
    expect(names.allocate("Sales", "ndjson")).toBe("Sales.ndjson")
    expect(names.allocate("manifest", "json")).toBe("manifest (2).json")
  })

  it("the-same-objects-in-the-same-order-get-the-same-names", () => {
    const run = () => {
      const names = new FileNameAllocator()
      return ["a", "A", "a", "b/", "b_"].map((n) => names.allocate(n, "csv"))
    }
    expect(run()).toEqual(run())
    expect(new Set(run().map((n) => n.toLowerCase())).size).toBe(5)
  })
})
