import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { FileNameAllocator, placeFileNames, sanitizeFileName } from "../src/plan/FileName.ts"
import { nameHash } from "../src/plan/Names.ts"

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

describe("placeFileNames", () => {
  const h = nameHash

  it("objects-sharing-a-name-each-get-a-hash-of-their-identity-and-none-keeps-the-plain-name", () => {
    const files = [
      { name: "Revenue", identity: "viz-a" },
      { name: "revenue", identity: "viz-b" },
      { name: "Region", identity: "viz-c" }
    ]
    expect(placeFileNames(files, "csv")).toEqual([
      `Revenue [${h("viz-a")}].csv`,
      `revenue [${h("viz-b")}].csv`,
      "Region.csv"
    ])
    // As slugs: `_` and the same hash, as Names.ts hashes lossy names.
    expect(placeFileNames(files, "csv", "slug")).toEqual([
      `revenue_${h("viz-a")}.csv`,
      `revenue_${h("viz-b")}.csv`,
      "region.csv"
    ])
  })

  it("a-reordering-moves-no-name-from-one-object-to-another", () => {
    const files = [
      { name: "Revenue", identity: "viz-a" },
      { name: "Revenue", identity: "viz-b" },
      { name: "Revenue", identity: "viz-c" },
      { name: "Region", identity: "viz-d" }
    ]
    const byIdentity = (order: ReadonlyArray<(typeof files)[number]>, style: "original" | "slug") => {
      const names = placeFileNames(order, "csv", style)
      return Object.fromEntries(order.map((f, i) => [f.identity, names[i]]))
    }
    for (const style of ["original", "slug"] as const) {
      const first = byIdentity(files, style)
      expect(byIdentity([...files].reverse(), style)).toEqual(first)
      expect(byIdentity([files[2]!, files[0]!, files[3]!, files[1]!], style)).toEqual(first)
      expect(new Set(Object.values(first)).size).toBe(4)
    }
  })

  it("identities-are-guids-compared-ignoring-case", () => {
    const lower = placeFileNames(
      [
        { name: "Revenue", identity: "3f2a9c1b-aaaa" },
        { name: "Revenue", identity: "9b1c-bbbb" }
      ],
      "csv"
    )
    const upper = placeFileNames(
      [
        { name: "Revenue", identity: "3F2A9C1B-AAAA" },
        { name: "Revenue", identity: "9B1C-BBBB" }
      ],
      "csv"
    )
    expect(upper).toEqual(lower)
    expect(lower[0]).toBe(`Revenue [${h("3f2a9c1b-aaaa")}].csv`)
  })

  it("a-reserved-name-gets-the-hash-and-what-still-collides-is-numbered-by-identity", () => {
    expect(placeFileNames([{ name: "manifest", identity: "m" }], "json", "original", ["Manifest.json"])).toEqual([
      `manifest [${h("m")}].json`
    ])
    // The same identity twice (one object) is numbered; a name written like another's hashed one yields to it in
    // order of identity, whatever the order given.
    const twice = placeFileNames(
      [
        { name: "Sales", identity: "x" },
        { name: "Sales", identity: "x" }
      ],
      "csv"
    )
    expect(twice).toEqual(["Sales.csv", "Sales (2).csv"])
    const literal = { name: `Revenue [${h("b")}]`, identity: "a" }
    const hashedB = { name: "Revenue", identity: "b" }
    const other = { name: "Revenue", identity: "c" }
    const one = placeFileNames([literal, hashedB, other], "csv")
    const two = placeFileNames([other, hashedB, literal], "csv")
    expect(one).toEqual([...two].reverse())
    expect(one).toEqual([`Revenue [${h("b")}].csv`, `Revenue [${h("b")}] (2).csv`, `Revenue [${h("c")}].csv`])
  })

  it("names-stay-safe-and-distinct-for-any-names", () =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 12 }), (pairs) => {
        const files = pairs.map(([name, identity]) => ({ name, identity }))
        const names = placeFileNames(files, "csv", "original", ["manifest.csv"])
        expect(new Set([...names, "manifest.csv"].map((n) => n.toLowerCase())).size).toBe(names.length + 1)
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
        for (const n of names) expect(n).not.toMatch(/[/\\\u0000-\u001f]|^\.|^\s/)
      })
    ))
})
