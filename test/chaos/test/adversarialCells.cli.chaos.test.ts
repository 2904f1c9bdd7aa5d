/**
 * Cells a misbehaving server may send, through the real CLI (`spotpipe answer`) against a loopback server that
 * answers the lookups correctly and the data request with a crafted page: each is either written exactly (the
 * bytes checked) or the export exits 1 with one line naming the row and column, and nothing appears at the
 * output's final path. Covers text that is not UTF-8 and unpaired surrogates, objects and arrays in text
 * columns, integers in every JSON spelling, numbers a double cannot hold, and repeated column names. Runs are
 * in-process (the CLI program, given only its environment), but for one real `spotpipe` process as installed.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { answerOf, type Column, json } from "../src/CannedAnswer.ts"
import { type CannedResponse, startCannedServer } from "../src/CannedServer.ts"
import { readTree } from "../src/OutputTree.ts"
import { runSpotpipe } from "../src/SpotpipeProcess.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-cells-cli-"))
const token = "tok-cells-4c2a-never-printed"

afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

/**
 * A data page whose `data_rows` are the given raw JSON texts (one per row), as bytes: any spelling goes. With
 * `namesLast`, `column_names` comes after `data_rows` (keys not in ThoughtSpot's order), which the client must
 * find all the same.
 */
const pageOf = (
  columns: ReadonlyArray<Column>,
  rows: ReadonlyArray<string | Buffer>,
  namesLast = false
): CannedResponse => {
  const names = `"column_names":${JSON.stringify(columns.map(([n]) => n))}`
  const head = `{"contents":[{"available_data_row_count":${rows.length},${namesLast ? "" : `${names},`}"data_rows":[`
  const tail =
    `],"record_offset":0,"record_size":10000,"returned_data_row_count":${rows.length},"sampling_ratio":1.0` +
    `${namesLast ? `,${names}` : ""}}]}`
  const parts: Array<Buffer> = [Buffer.from(head)]
  rows.forEach((row, i) => {
    if (i > 0) parts.push(Buffer.from(","))
    parts.push(typeof row === "string" ? Buffer.from(row) : row)
  })
  parts.push(Buffer.from(tail))
  return { status: 200, contentType: "application/json", body: Buffer.concat(parts) }
}

/**
 * Runs `spotpipe answer Sales` in `format` against a server answering with `rows` for `columns`: in-process, or as
 * the installed command's process.
 */
const exportAnswer = async (
  columns: ReadonlyArray<Column>,
  rows: ReadonlyArray<string | Buffer>,
  format: "csv" | "ndjson",
  namesLast = false,
  how: "in-process" | "process" = "in-process"
) => {
  const server = await startCannedServer((path, body) => {
    if (path.endsWith("/metadata/search")) {
      const offset = (body as { record_offset?: number } | undefined)?.record_offset ?? 0
      return json(offset === 0 ? [answerOf(columns)] : [])
    }
    if (path.endsWith("/system")) return json({ time_zone: "UTC" })
    return pageOf(columns, rows, namesLast)
  })
  const out = NodePath.join(root, `out-${Math.random().toString(36).slice(2)}`)
  try {
    const args = ["answer", "Sales", "--format", format, "--out", out, "--quiet"]
    const env = { THOUGHTSPOT_HOST: server.url, THOUGHTSPOT_TOKEN: token }
    const run = how === "process" ? await runSpotpipe(args, { env }) : await runCliInProcess(args, { env })
    expect(run.stdout + run.stderr).not.toContain(token)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    return { run, tree: readTree(out) }
  } finally {
    await server.close()
  }
}

/** The run failed with exactly one stderr line matching `says`, and left no data file (final or temporary). */
const expectRefused = (result: Awaited<ReturnType<typeof exportAnswer>>, says: RegExp) => {
  const { run, tree } = result
  expect(run.code, run.stderr).toBe(1)
  expect(run.stderr.trim().split("\n")).toHaveLength(1)
  expect(run.stderr.trim()).toMatch(says)
  expect(run.stderr).not.toContain("\ufffd")
  expect([...tree.keys()].filter((f) => f !== "manifest.json")).toEqual([])
}

const formats = ["csv", "ndjson"] as const

describe("cells that cannot be written exactly fail the export naming the cell", () => {
  for (const format of formats) {
    it(`text-that-is-not-utf-8-exits-1-naming-row-and-column-${format}`, async () => {
      const bad = Buffer.concat([Buffer.from('["caf'), Buffer.of(0xc3, 0x28), Buffer.from('",2]')])
      const result = await exportAnswer(
        [
          ["Region", "VARCHAR"],
          ["Qty", "INT64"]
        ],
        ['["West",1]', bad],
        format,
        false,
        // One real process: what the installed command prints, and its exit code.
        format === "csv" ? "process" : "in-process"
      )
      expectRefused(
        result,
        /^spotpipe: answer "Sales": row 2, column "Region": the text is not valid UTF-8 \(bytes C3 28 22 2C…\); it is never written with replacement characters: correct the value at the source$/
      )
    }, 30_000)

    it(`an-unpaired-surrogate-escape-exits-1-naming-row-and-column-${format}`, async () => {
      const result = await exportAnswer([["Region", "VARCHAR"]], ['["West"]', '["x\\ud800y"]'], format)
      expectRefused(
        result,
        /^spotpipe: answer "Sales": row 2, column "Region": the text holds an unpaired surrogate \(\\uD800\), which UTF-8 cannot encode; it cannot be written without changing it: correct the value at the source$/
      )
    }, 30_000)

    it(`a-decimal-in-an-int64-column-exits-1-naming-row-and-column-${format}`, async () => {
      const result = await exportAnswer([["Qty", "INT64"]], ["[1]", "[2]", "[3]", "[1.5]"], format)
      expectRefused(
        result,
        /^spotpipe: answer "Sales": row 4, column "Qty": 1\.5 is not an integer, but the column is INT64; /
      )
    }, 30_000)

    it(`a-double-that-would-underflow-to-zero-exits-1-${format}`, async () => {
      const result = await exportAnswer([["Price", "DOUBLE"]], ["[0.5]", "[1e-400]"], format)
      expectRefused(
        result,
        /^spotpipe: answer "Sales": row 2, column "Price": 1e-400 is too small for a double \(it would become 0\)/
      )
    }, 30_000)
  }
})

describe("cells written exactly", () => {
  it("objects-and-arrays-in-a-varchar-column-are-written-as-their-json-text", async () => {
    const columns: ReadonlyArray<Column> = [
      ["Note", "VARCHAR"],
      ["Day", "DATE"]
    ]
    const rows = [
      '[{ "a" : [ 1.50 , 12345678901234567890 ] , "b" : "x\\/y" }, {"v":{"s":1599955200}}]',
      '[[1,"x","y"], 1599955200]',
      '[{"v":{"s":1600000000}}, null]'
    ]
    const csv = await exportAnswer(columns, rows, "csv")
    expect(csv.run.code, csv.run.stderr).toBe(0)
    expect(csv.tree.get("answer-Sales.csv")?.toString("utf8")).toBe(
      "Note,Day\r\n" +
        '"{""a"":[1.50,12345678901234567890],""b"":""x/y""}",2020-09-13\r\n' +
        '"[1,""x"",""y""]",2020-09-13\r\n' +
        '"{""v"":{""s"":1600000000}}",\r\n'
    )
    const ndjson = await exportAnswer(columns, rows, "ndjson")
    expect(ndjson.run.code, ndjson.run.stderr).toBe(0)
    expect(ndjson.tree.get("answer-Sales.ndjson")?.toString("utf8")).toBe(
      '{"Note":"{\\"a\\":[1.50,12345678901234567890],\\"b\\":\\"x/y\\"}","Day":"2020-09-13"}\n' +
        '{"Note":"[1,\\"x\\",\\"y\\"]","Day":"2020-09-13"}\n' +
        '{"Note":"{\\"v\\":{\\"s\\":1600000000}}","Day":null}\n'
    )
  }, 30_000)

  it("integers-in-every-json-spelling-are-written-as-their-exact-digits", async () => {
    const spellings = [
      "9007199254740993",
      "9007199254740993.0",
      "9007199254740993e0",
      "9.007199254740993e15",
      "90071992547409930E-1"
    ]
    const rows = spellings.map((n) => `[${n}, -${n}]`)
    const columns: ReadonlyArray<Column> = [
      ["Id", "INT64"],
      ["Neg", "INT64"]
    ]
    const csv = await exportAnswer(columns, rows, "csv")
    expect(csv.run.code, csv.run.stderr).toBe(0)
    expect(csv.tree.get("answer-Sales.csv")?.toString("utf8")).toBe(
      `Id,Neg\r\n${"9007199254740993,-9007199254740993\r\n".repeat(spellings.length)}`
    )
    const ndjson = await exportAnswer(columns, rows, "ndjson")
    expect(ndjson.run.code, ndjson.run.stderr).toBe(0)
    expect(ndjson.tree.get("answer-Sales.ndjson")?.toString("utf8")).toBe(
      '{"Id":9007199254740993,"Neg":-9007199254740993}\n'.repeat(spellings.length)
    )
  }, 30_000)

  it("repeated-column-names-keep-their-own-types-and-get-distinct-names", async () => {
    const columns: ReadonlyArray<Column> = [
      ["Ts", "DATE_TIME"],
      ["Ts", "DATE"]
    ]
    // The DATE is 2020-09-13's midnight in UTC (the data time zone); the DATE_TIME any instant.
    const rows = ["[1600000000, 1599955200]"]
    const csv = await exportAnswer(columns, rows, "csv")
    expect(csv.run.code, csv.run.stderr).toBe(0)
    expect(csv.tree.get("answer-Sales.csv")?.toString("utf8")).toBe("Ts,Ts (2)\r\n2020-09-13T12:26:40Z,2020-09-13\r\n")
    const manifest = JSON.parse(csv.tree.get("manifest.json")!.toString("utf8")) as {
      outputs: ReadonlyArray<{ columns: ReadonlyArray<unknown> }>
    }
    expect(manifest.outputs[0]!.columns).toEqual([
      { name: "Ts", type: "DATE_TIME" },
      { name: "Ts (2)", source_name: "Ts", type: "DATE" }
    ])
    const ndjson = await exportAnswer(columns, rows, "ndjson")
    expect(ndjson.run.code, ndjson.run.stderr).toBe(0)
    expect(ndjson.tree.get("answer-Sales.ndjson")?.toString("utf8")).toBe(
      '{"Ts":"2020-09-13T12:26:40Z","Ts (2)":"2020-09-13"}\n'
    )
  }, 30_000)

  it("a-page-parsed-whole-follows-the-same-rules", async () => {
    // Keys out of ThoughtSpot's order: the rows are parsed with the body, not read from its bytes.
    const columns: ReadonlyArray<Column> = [
      ["Id", "INT64"],
      ["Note", "VARCHAR"],
      ["Price", "DOUBLE"]
    ]
    const rows = ['[9.007199254740993e15, {"a":1.50}, 2.50]', '[90071992547409930E-1, [1,"x"], 1e3]']
    const csv = await exportAnswer(columns, rows, "csv", true)
    expect(csv.run.code, csv.run.stderr).toBe(0)
    expect(csv.tree.get("answer-Sales.csv")?.toString("utf8")).toBe(
      'Id,Note,Price\r\n9007199254740993,"{""a"":1.50}",2.5\r\n9007199254740993,"[1,""x""]",1000\r\n'
    )
    const ndjson = await exportAnswer(columns, rows, "ndjson", true)
    expect(ndjson.run.code, ndjson.run.stderr).toBe(0)
    expect(ndjson.tree.get("answer-Sales.ndjson")?.toString("utf8")).toBe(
      '{"Id":9007199254740993,"Note":"{\\"a\\":1.50}","Price":2.5}\n{"Id":9007199254740993,"Note":"[1,\\"x\\"]","Price":1000}\n'
    )
    for (const format of formats) {
      expectRefused(
        await exportAnswer([["Price", "DOUBLE"]], ["[1]", "[1e-400]"], format, true),
        /^spotpipe: answer "Sales": row 2, column "Price": 1e-400 is too small for a double \(it would become 0\)/
      )
      // Text that is not UTF-8: refused, naming its row and column, whatever the order of the envelope's keys.
      const bad = Buffer.concat([Buffer.from('["caf'), Buffer.of(0xc3, 0x28), Buffer.from('"]')])
      expectRefused(
        await exportAnswer([["Region", "VARCHAR"]], [bad], format, true),
        /^spotpipe: answer "Sales": row 1, column "Region": the text is not valid UTF-8 \(bytes C3 28 .*\); it is never written with replacement characters/
      )
      expectRefused(
        await exportAnswer([["Region", "VARCHAR"]], ['["x\\udc00"]'], format, true),
        /^spotpipe: answer "Sales": row 1, column "Region": the text holds an unpaired surrogate \(\\uDC00\)/
      )
    }
  }, 60_000)
})
