/**
 * A DuckDB target written as a URL (`duckdb:///warehouse.duckdb`, SQLAlchemy's and dlt's form, where it is a
 * relative path) is refused with the paths it could mean: read as a path it is a file at the file system's root.
 */
import { describe, expect, it } from "vitest"
import { parseTarget } from "../../src/LoadTarget.ts"

describe("a duckdb: target written as a URL", () => {
  it("is refused with the target for a file here and for the full path", () => {
    expect(parseTarget("duckdb:///warehouse.duckdb")).toEqual({
      refused:
        "duckdb:///warehouse.duckdb is written as a URL, but duckdb:FILE takes a path (it would be /warehouse.duckdb): give --into duckdb:warehouse.duckdb for a file here, or --into duckdb:/warehouse.duckdb for that full path"
    })
    expect(parseTarget("duckdb:////data/w.duckdb", "job file")).toEqual({
      refused:
        'duckdb:////data/w.duckdb is written as a URL, but duckdb:FILE takes a path (it would be /data/w.duckdb): give "into": "duckdb:/data/w.duckdb"'
    })
  })

  it("takes a path, relative or full, as before", () => {
    expect(parseTarget("duckdb:warehouse.duckdb")).toEqual({ ok: { _tag: "DuckDb", file: "warehouse.duckdb" } })
    expect(parseTarget("duckdb:/data/w.duckdb")).toEqual({ ok: { _tag: "DuckDb", file: "/data/w.duckdb" } })
  })
})
