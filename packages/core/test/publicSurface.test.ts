import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as Core from "../src/index.ts"

// Every export is usable from outside and documented; nothing internal (whose functions need internal
// services) is exported by accident.
describe("the public surface", () => {
  it("is the README's export table, name for name", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const table = readme.slice(readme.indexOf("| export | what it is |"))
    const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2)
    const documented = rows.flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1]))
    expect(Object.keys(Core).sort()).toEqual([...documented].sort())
  })
})
