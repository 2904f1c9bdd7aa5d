/**
 * The names a single command's exports get (`nameExports`): objects of one name each take a hash of their GUID, in
 * any order they are found; one object in several formats keeps one name; an Org's exports are named in its folder.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ExportOrg, type JobExport, makeExport } from "../src/plan/JobFile.ts"
import { nameHash } from "../src/plan/Names.ts"
import type { ResolvedExport } from "../src/plan/PlannedOutput.ts"
import { nameExports } from "../src/plan/Planner.ts"

const exportOf = (format: "csv" | "ndjson", fileNames: "original" | "slug", org?: ExportOrg): JobExport =>
  makeExport({
    index: 0,
    key: undefined,
    what: "answer",
    spec: { type: "answer", id: "x" },
    format,
    timezone: undefined,
    pageSize: 10,
    strict: false,
    fileNames,
    ...(org === undefined ? {} : { org })
  })

/** An answer `name` of GUID `id` found, written as `format`. */
const found = (
  name: string,
  id: string,
  format: "csv" | "ndjson" = "csv",
  fileNames: "original" | "slug" = "original",
  org?: ExportOrg
): ResolvedExport<never> => ({
  export: exportOf(format, fileNames, org),
  defaultName: `answer-${name}`,
  objectId: id,
  outputs: () => []
})

describe("nameExports", () => {
  it("answers-of-one-name-keep-their-names-in-any-order", () => {
    const a = found("Revenue", "guid-a")
    const aNdjson = found("Revenue", "guid-a", "ndjson")
    const b = found("revenue", "guid-b")
    const c = found("Region", "guid-c")
    const keys = nameExports([a, aNdjson, b, c])
    expect(keys).toEqual([
      `answer-Revenue [${nameHash("guid-a")}]`,
      `answer-Revenue [${nameHash("guid-a")}]`,
      `answer-revenue [${nameHash("guid-b")}]`,
      "answer-Region"
    ])
    expect(nameExports([c, b, aNdjson, a])).toEqual([...keys].reverse())
    expect(nameExports([b, a].map((r) => ({ ...r, export: exportOf("csv", "slug") })))).toEqual([
      `answer_revenue_${nameHash("guid-b")}`,
      `answer_revenue_${nameHash("guid-a")}`
    ])
  })

  it("an-orgs-exports-are-named-in-its-folder", () => {
    const org = { id: 7, name: "Sales Org" }
    expect(nameExports([found("Revenue", "guid-a", "csv", "original", org), found("Revenue", "guid-b")])).toEqual([
      "org-7-sales_org/answer-Revenue",
      "answer-Revenue"
    ])
  })
})
