import { describe, expect, it } from "@effect/vitest"
import { Exit } from "effect"
import { metadataTypes } from "../../src/cluster/Cluster.ts"
import { type Job, JobFileError, parseJobFile, syntaxErrorOffset } from "../../src/plan/JobFile.ts"

const ok = (document: unknown): Job => {
  const exit = parseJobFile(JSON.stringify(document), "job.json")
  if (Exit.isFailure(exit)) throw new Error(`expected a valid job: ${String(exit.cause)}`)
  return exit.value
}

const problems = (text: string): ReadonlyArray<{ path: string; message: string }> => {
  const exit = parseJobFile(text, "job.json")
  if (Exit.isSuccess(exit)) throw new Error("expected the job file to be refused")
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error("expected a typed failure")
  expect(error.error).toBeInstanceOf(JobFileError)
  return error.error.problems
}

const job = {
  connection: { hostEnv: "TS_HOST", usernameEnv: "TS_USER", passwordEnv: "TS_PASSWORD" },
  defaults: { format: "ndjson", timezone: "Europe/Berlin", pageSize: 5000 },
  exports: [
    { type: "metadata", metadataTypes: ["ANSWER", "LIVEBOARD"] },
    { type: "answer", id: "Revenue by Month", format: "csv" },
    { type: "liveboard", id: "Sales Overview", visualizations: ["Revenue by Region"], pageSize: 100 },
    { type: "liveboard", id: "Order Operations", output: "ops" },
    { type: "search", table: "Orders", query: "[Region] [Revenue]", timezone: "UTC" }
  ]
}

describe("JobFile", () => {
  it("every-export-kind-parses-with-defaults-and-overrides", () => {
    const parsed = ok(job)
    expect(parsed.exports.map((e) => [e.spec.type, e.key, e.format, e.timezone, e.pageSize])).toEqual([
      ["metadata", "metadata-answer-liveboard", "ndjson", "Europe/Berlin", 5000],
      ["answer", "answer-Revenue by Month", "csv", "Europe/Berlin", 5000],
      ["liveboard", "liveboard-Sales Overview", "ndjson", "Europe/Berlin", 100],
      ["liveboard", "ops", "ndjson", "Europe/Berlin", 5000],
      ["search", "search-Orders", "ndjson", "UTC", 5000]
    ])
    expect(parsed.connection).toEqual(job.connection)
  })

  it("a-job-file-takes-every-metadata-type-the-metadata-command-takes", () => {
    // One list for both: a job refused LOGICAL_RELATIONSHIP while `spotpipe metadata --type` accepted it.
    const parsed = ok({ exports: [{ type: "metadata", metadataTypes }] })
    const spec = parsed.exports[0]!.spec
    expect(spec.type === "metadata" ? spec.metadataTypes : []).toEqual(metadataTypes)
    expect(metadataTypes).toContain("LOGICAL_RELATIONSHIP")
  })

  it("without-defaults-format-is-csv-page-size-10000-and-timezone-left-to-the-cluster", () => {
    const parsed = ok({ exports: [{ type: "answer", id: "A" }] })
    expect(parsed.exports[0]).toMatchObject({ format: "csv", pageSize: 10_000, timezone: undefined })
  })

  it("each-bad-field-is-reported-with-its-path", () => {
    const found = problems(
      JSON.stringify({
        defaults: { format: "xlsx", pageSize: 0 },
        exports: [
          { type: "answer" },
          { type: "search", table: "Orders", query: 7 },
          { type: "liveboard", id: "LB", visualizations: [] },
          { type: "answr", id: "x" },
          { type: "answer", id: "B", timezone: "Mars/Olympus" },
          "answer"
        ],
        extra: true
      })
    )
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]))
    expect(byPath["extra"]).toMatch(/unknown key/)
    expect(byPath["defaults.format"]).toMatch(/csv.*ndjson/)
    expect(byPath["defaults.pageSize"]).toMatch(/1 to 100000/)
    expect(byPath["exports[0].id"]).toBe("is required")
    expect(byPath["exports[1].query"]).toBe("must be text in double quotes, not a number")
    expect(byPath["exports[2].visualizations"]).toMatch(/at least one/)
    expect(byPath["exports[3]"]).toMatch(/"type" must be one of/)
    expect(byPath["exports[4].timezone"]).toMatch(/IANA/)
    expect(byPath["exports[5]"]).toBe("must be an object")
  })

  it("a-timezone-abbreviation-is-refused-with-the-flags-advice-without-repeating-it", () => {
    const found = problems(
      JSON.stringify({ defaults: { timezone: "BST" }, exports: [{ type: "answer", id: "A", timezone: "PST" }] })
    )
    expect(found).toEqual([
      {
        path: "defaults.timezone",
        message:
          "is an abbreviation, not a time zone: use Europe/London (UK time, with daylight saving) or +01:00 (UTC+1 all year); Bangladesh Standard Time is Asia/Dhaka"
      },
      {
        path: "exports[0].timezone",
        message:
          "is an abbreviation, not a time zone: use America/Los_Angeles (Pacific time, with daylight saving) or -08:00 (UTC-8 all year)"
      }
    ])
    expect(ok({ exports: [{ type: "answer", id: "A", timezone: "-08:00" }] }).exports[0]?.timezone).toBe("-08:00")
  })

  it("choices-are-matched-ignoring-case-as-the-flags-match-theirs", () => {
    const lower = {
      defaults: { format: "csv", columnNames: "snake", fileNames: "slug" },
      exports: [
        { type: "metadata", metadataTypes: ["ANSWER"] },
        { type: "tml", tmlTypes: ["LIVEBOARD"], format: "json" },
        { type: "permissions", permissionTypes: ["ANSWER"] }
      ],
      orgs: "all",
      load: { into: "duckdb:w.duckdb", mode: "replace" }
    }
    const typed = ok({
      defaults: { format: "CSV", columnNames: "Snake", fileNames: "SLUG" },
      exports: [
        { type: "metadata", metadataTypes: ["answer"] },
        { type: "tml", tmlTypes: ["Liveboard"], format: "JSON" },
        { type: "permissions", permissionTypes: ["answer"] }
      ],
      orgs: "ALL",
      load: { into: "duckdb:w.duckdb", mode: "Replace" }
    })
    const expected = ok(lower)
    // The values as spelt in the schema, so the fingerprints (and so resume) do not depend on the case typed.
    expect(typed.exports.map((e) => [e.spec, e.format, e.columnNames, e.fileNames, e.fingerprint])).toEqual(
      expected.exports.map((e) => [e.spec, e.format, e.columnNames, e.fileNames, e.fingerprint])
    )
    expect([typed.orgs, typed.load, typed.fingerprint]).toEqual([expected.orgs, expected.load, expected.fingerprint])
  })

  it("a-value-that-is-no-choice-is-refused-naming-the-choices-without-repeating-it", () => {
    expect(
      problems(
        JSON.stringify({
          defaults: { format: "xlsx" },
          exports: [{ type: "tml", format: "xml" }],
          orgs: "every",
          load: { into: "duckdb:w.duckdb", mode: "upsert" }
        })
      )
    ).toEqual([
      { path: "defaults.format", message: "must be csv, ndjson or parquet (any case)" },
      { path: "exports[0].format", message: "must be yaml or json (any case)" },
      // In the order the file has them.
      { path: "orgs", message: 'must be "all" or a list of Org ids' },
      { path: "load.mode", message: "must be replace, append or merge (any case)" }
    ])
  })

  it("an-unknown-key-inside-an-export-is-refused", () => {
    expect(problems(JSON.stringify({ exports: [{ type: "answer", id: "A", fromat: "csv" }] }))).toEqual([
      { path: "exports[0].fromat", message: 'unknown key: remove it (or check its spelling); did you mean "format"?' }
    ])
  })

  it("a-mistyped-key-or-export-type-names-the-closest-ones-the-place-takes", () => {
    const found = problems(
      JSON.stringify({
        default: { format: "csv" },
        defaults: { pagesize: 5 },
        conection: {},
        exports: [
          { type: "answr", id: "A" },
          { type: "search", table: "T", query: "[A]", outptu: "x" },
          { type: "metadata", metadataType: ["ANSWER"], visualisations: [] },
          { type: "answer", id: "A", zzzzzz: 1 }
        ],
        load: { into: "duckdb:w.duckdb", mod: "replace" }
      })
    )
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]))
    const meant = (key: string) => `unknown key: remove it (or check its spelling); did you mean "${key}"?`
    expect(byPath["default"]).toBe(meant("defaults"))
    expect(byPath["defaults.pagesize"]).toBe(meant("pageSize"))
    expect(byPath["conection"]).toBe(meant("connection"))
    expect(byPath["exports[0]"]).toMatch(/^"type" must be one of .*; did you mean "answer"\?$/)
    expect(byPath["exports[1].outptu"]).toBe(meant("output"))
    expect(byPath["exports[2].metadataType"]).toMatch(/; did you mean "metadataTypes"/)
    // Only the keys of that export's type: a metadata export has no visualizations.
    expect(byPath["exports[2].visualisations"]).toBe("unknown key: remove it (or check its spelling)")
    expect(byPath["exports[3].zzzzzz"]).toBe("unknown key: remove it (or check its spelling)")
    expect(byPath["load.mod"]).toBe(meant("mode"))
  })

  it("the-object-under-another-word-says-which-key-holds-it-not-the-closest-spellings", () => {
    const found = problems(
      JSON.stringify({
        exports: [
          { type: "answer", name: "Revenue by Month" },
          { type: "liveboard", guid: "0a1b" },
          { type: "search", model: "Orders", query: "[Region]" },
          // No object to name: the usual answer.
          { type: "metadata", metadataTypes: ["ANSWER"], name: "x" }
        ]
      })
    )
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]))
    expect(byPath["exports[0].name"]).toBe('unknown key: the answer\'s GUID or exact name goes in "id"')
    expect(byPath["exports[0].id"]).toBe("is required")
    expect(byPath["exports[1].guid"]).toBe('unknown key: the liveboard\'s GUID or exact name goes in "id"')
    expect(byPath["exports[2].model"]).toBe("unknown key: the table's or model's GUID or exact name goes in \"table\"")
    expect(byPath["exports[3].name"]).toMatch(/^unknown key: remove it \(or check its spelling\)/)
  })

  it("a-bare-list-of-exports-says-the-document-is-an-object-holding-them", () => {
    for (const text of ['[{"type": "answer", "id": "A"}]', '"exports"', "null"]) {
      expect(problems(text)).toEqual([
        { path: "", message: 'must be a JSON object with the list of exports: {"exports": [{"type": …}, …]}' }
      ])
    }
  })

  it("inline-secrets-are-refused-anywhere-and-never-echoed", () => {
    const text = JSON.stringify({
      connection: { host: "https://ts.example.com", username: "me", password: "Hunter2-secret!" },
      exports: [{ type: "answer", id: "A", token: "eyJhbGciOiJ-secret" }]
    })
    const found = problems(text)
    expect(found.map((p) => p.path)).toEqual(["connection.password", "exports[0].token"])
    expect(found[0]!.message).toMatch(/environment variable/)
    const exit = parseJobFile(text, "job.json")
    const rendered = JSON.stringify(exit) + String(Exit.isFailure(exit) ? exit.cause : "")
    expect(rendered).not.toContain("Hunter2")
    expect(rendered).not.toContain("eyJhbGciOiJ")
  })

  it("a-secret-value-in-an-env-name-field-is-refused-without-being-echoed", () => {
    const found = problems(
      JSON.stringify({ connection: { passwordEnv: "Guest@123!" }, exports: [{ type: "answer", id: "A" }] })
    )
    expect(found).toEqual([
      { path: "connection.passwordEnv", message: expect.stringMatching(/NAME of an environment variable/) }
    ])
    expect(JSON.stringify(found)).not.toContain("Guest@123!")
  })

  it("a-key-given-twice-in-one-object-is-refused-with-its-path-since-json-would-drop-the-first", () => {
    // Two job files joined by hand: the first list of exports would silently not run.
    const joined = `{
      "exports": [{ "type": "answer", "id": "Revenue by Month" }],
      "defaults": { "format": "csv", "pageSize": 100 },
      "exports": [
        { "type": "answer", "id": "Order Details", "format": "csv", "output": "od", "format": "parquet" },
        { "type": "search", "table": "Orders", "query": "[Region]", "output": "r", "outp\u0075t": "s" }
      ]
    }`
    expect(problems(joined)).toEqual([
      {
        path: "exports",
        message: expect.stringContaining("is given twice in one object, and only the last would count")
      },
      { path: "exports[0].format", message: expect.stringContaining("is given twice") },
      { path: "exports[1].output", message: expect.stringContaining("is given twice") }
    ])
    // Equal values nested at different places are no duplicates.
    expect(
      ok({
        defaults: { format: "csv" },
        exports: [
          { type: "answer", id: "A", format: "csv" },
          { type: "answer", id: "B" }
        ]
      }).exports
    ).toHaveLength(2)
  })

  it("a-folder-of-one-export-named-as-the-file-of-another-is-refused", () => {
    const refused = problems(
      JSON.stringify({
        exports: [
          { type: "answer", id: "Revenue by Month", output: "sales" },
          { type: "liveboard", id: "Sales Overview", output: "Sales.CSV" }
        ]
      })
    )
    expect(refused).toEqual([
      {
        path: "exports[1].output",
        output: "Sales.CSV",
        message: expect.stringContaining("names its folder as exports[0] names its file")
      }
    ])
    // A folder and a file that only share the name before the extension are apart.
    expect(
      ok({
        exports: [
          { type: "answer", id: "Revenue by Month", output: "sales" },
          { type: "liveboard", id: "Sales Overview", output: "sales.ndjson" }
        ]
      }).exports
    ).toHaveLength(2)
  })

  it("broken-json-reports-line-and-column-but-no-file-text", () => {
    const found = problems('{\n  "exports": [\n    { "type": "answer", "id": "s3cr3t", }\n  ]\n}')
    expect(found).toEqual([
      {
        path: "",
        message: "is not valid JSON at line 3, column 39; JSON has no comma after the last item: remove this comma"
      }
    ])
    // V8 quotes the text around an unexpected token, and names no position: none of it may reach the message,
    // the position is found all the same.
    const quoted = problems('{\n  "exports": [\n    { "type": "answer", "id": s3cr3t }\n  ]\n}')
    expect(quoted).toEqual([{ path: "", message: "is not valid JSON at line 3, column 31; fix the syntax" }])
    // Cut short: the position is the end of the text.
    expect(problems('{\n  "exports": [\n')).toEqual([
      { path: "", message: "is not valid JSON at line 3, column 1; fix the syntax" }
    ])
    expect(problems('{"exports": [], "a": tru}')).toEqual([
      { path: "", message: "is not valid JSON at line 1, column 25; fix the syntax" }
    ])
    expect(problems('{"exports": []} x')).toEqual([
      { path: "", message: "is not valid JSON at line 1, column 17; fix the syntax" }
    ])
  })

  it("the-syntax-scan-agrees-with-json-parse-on-where-it-names-a-position", () => {
    for (const text of ['{"a": 1,}', "{'a': 1}", "[1, 2,]", '{"a": "\\u12"}', '{"a": 01}', '{"a"  1}', '{"a": [1] ]']) {
      const position = (() => {
        try {
          JSON.parse(text)
          return undefined
        } catch (error) {
          const found = /position (\d+)/.exec((error as Error).message)
          return found === null ? undefined : Number(found[1])
        }
      })()
      expect(syntaxErrorOffset(text), text).toBeDefined()
      if (position !== undefined) expect(syntaxErrorOffset(text), text).toBe(position)
    }
    for (const text of ['{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', " [] ", '"x"']) {
      expect(syntaxErrorOffset(text), text).toBeUndefined()
    }
  })

  it("no-exports-is-an-error", () => {
    expect(problems(JSON.stringify({ exports: [] }))).toEqual([
      { path: "exports", message: "list at least one export" }
    ])
    expect(problems(JSON.stringify({}))).toEqual([{ path: "exports", message: "is required" }])
    expect(problems("[]")[0]!.message).toMatch(/object/i)
  })

  it("output-names-are-sanitized-and-unique-namesakes-by-identity", () => {
    const parsed = ok({
      exports: [
        { type: "answer", id: "../../etc/passwd" },
        { type: "answer", id: "x", output: "../../etc/passwd" },
        { type: "answer", id: "y", output: "Report\u0007\nQ1" },
        { type: "answer", id: "z", format: "ndjson" },
        { type: "answer", id: "z" },
        { type: "answer", id: "m", output: "manifest" }
      ]
    })
    const keys = parsed.exports.map((e) => e.key!)
    expect([keys[0], keys[1], keys[2], keys[5]]).toEqual([
      "answer-.._.._etc_passwd",
      "_.._etc_passwd",
      "Report__Q1",
      "manifest"
    ])
    // Namesakes each get a hash of their own identity: neither keeps the plain name.
    expect(keys[3]).toMatch(/^answer-z \[[0-9a-f]{8}\]$/)
    expect(keys[4]).toMatch(/^answer-z \[[0-9a-f]{8}\]$/)
    expect(keys[3]).not.toBe(keys[4])
  })

  it("two-exports-given-the-same-output-are-refused-naming-both", () => {
    const document = {
      exports: [
        { type: "answer", id: "y", output: "Report\u0007\nQ1" },
        { type: "answer", id: "a" },
        { type: "answer", id: "z", output: "report\u0007\nq1", format: "ndjson" },
        { type: "answer", id: "b", output: "answer-a" }
      ]
    }
    expect(problems(JSON.stringify(document))).toEqual([
      {
        path: "exports[2].output",
        output: "report\u0007\nq1",
        message:
          'has the same output name as exports[0] (names are compared sanitized and ignoring case): give each export its own "output"'
      },
      {
        path: "exports[3].output",
        output: "answer-a",
        message:
          'has the same output name as exports[1] (names are compared sanitized and ignoring case): give each export its own "output"'
      }
    ])
    // Shown JSON-quoted: its control characters escaped, never acted on by a terminal.
    const exit = parseJobFile(JSON.stringify(document), "job.json")
    expect(Exit.isFailure(exit) ? String(exit.cause) : "").toContain(
      'exports[2].output (output "report\\u0007\\nq1"): has the same output name as exports[0]'
    )
  })

  it("fingerprints-change-with-what-an-export-reads-or-writes-and-only-for-that-export", () => {
    const a = ok(job)
    const changed = structuredClone(job)
    changed.exports[4] = { ...changed.exports[4]!, query: "[Region] [Quantity]" } as (typeof job.exports)[number]
    const b = ok(changed)
    expect(b.exports.map((e, i) => e.fingerprint === a.exports[i]!.fingerprint)).toEqual([
      true,
      true,
      true,
      true,
      false
    ])
    expect(b.fingerprint).not.toBe(a.fingerprint)
    const reformatted = ok({ ...job, defaults: { ...job.defaults, format: "csv" } })
    expect(reformatted.exports[0]!.fingerprint).not.toBe(a.exports[0]!.fingerprint)
    expect(reformatted.exports[1]!.fingerprint).toBe(a.exports[1]!.fingerprint)
    // Key order and whitespace in the file do not matter.
    const reordered = parseJobFile(
      `{"exports":${JSON.stringify(job.exports)},  "defaults": ${JSON.stringify(job.defaults)}, "connection": ${JSON.stringify(job.connection)}}`,
      "job.json"
    )
    expect(Exit.isSuccess(reordered) && reordered.value.fingerprint).toBe(a.fingerprint)
  })

  it("warehouse-keys-apply-from-defaults-and-exports-with-slug-keys-hashed-by-underscore", () => {
    const parsed = ok({
      defaults: { columnNames: "snake", fileNames: "slug", nullString: "\\N" },
      exports: [
        { type: "answer", id: "Revenue by Month" },
        { type: "answer", id: "Revenue by Month", format: "ndjson" },
        { type: "answer", id: "revenue-by-month", output: "Monthly Revenue (EUR)", columnNames: "original" },
        { type: "liveboard", id: "Sales Overview", fileNames: "original", nullString: "NULL" }
      ]
    })
    const keys = parsed.exports.map((e) => e.key!)
    expect(keys[0]).toMatch(/^answer_revenue_by_month_[0-9a-f]{8}$/)
    expect(keys[1]).toMatch(/^answer_revenue_by_month_[0-9a-f]{8}$/)
    expect(keys[0]).not.toBe(keys[1])
    expect(keys.slice(2)).toEqual(["monthly_revenue_eur", "liveboard-Sales Overview"])
    expect(parsed.exports.map((e) => [e.columnNames, e.fileNames, e.nullString])).toEqual([
      ["snake", "slug", "\\N"],
      // A default null string is for CSV exports only.
      ["snake", "slug", ""],
      ["original", "slug", "\\N"],
      ["snake", "original", "NULL"]
    ])
    // Without the keys: names and nulls as before.
    const plain = ok({ exports: [{ type: "answer", id: "x" }] }).exports[0]!
    expect([plain.columnNames, plain.fileNames, plain.nullString]).toEqual(["original", "original", ""])
  })

  it("warehouse-keys-are-checked-strictly-with-what-to-use", () => {
    const document = {
      defaults: { columnNames: "camel", nullString: "a,b" },
      exports: [
        { type: "answer", id: "a", fileNames: "kebab" },
        { type: "answer", id: "b", nullString: 'say "null"' },
        { type: "answer", id: "c", nullString: "\r\n" },
        { type: "answer", id: "d", format: "ndjson", nullString: "\\N" }
      ]
    }
    const found = problems(JSON.stringify(document))
    const nullProblem =
      "a null string must not hold a comma, a double quote, CR or LF (a reader would split or join cells): use text such as \\N or NULL"
    expect(found).toEqual(
      expect.arrayContaining([
        { path: "defaults.columnNames", message: "must be original or snake (any case)" },
        { path: "defaults.nullString", message: nullProblem },
        { path: "exports[0].fileNames", message: "must be original or slug (any case)" },
        { path: "exports[1].nullString", message: nullProblem },
        { path: "exports[2].nullString", message: nullProblem }
      ])
    )
    expect(
      problems(JSON.stringify({ exports: [{ type: "answer", id: "d", format: "ndjson", nullString: "\\N" }] }))
    ).toEqual([
      {
        path: "exports[0].nullString",
        message: 'applies to CSV only (the other formats write a null as null): remove it, or set "format": "csv"'
      }
    ])
  })

  it("output-names-that-slug-alike-are-refused-naming-both", () => {
    const document = {
      defaults: { fileNames: "slug" },
      exports: [
        { type: "answer", id: "a", output: "Revenue by Month" },
        { type: "answer", id: "b", output: "revenue-by-month" }
      ]
    }
    expect(problems(JSON.stringify(document)).map((p) => p.path)).toEqual(["exports[1].output"])
  })
})

describe("JobFile, a demanding user's mistakes", () => {
  const ok2 = (text: string): Job => {
    const exit = parseJobFile(text, "job.json")
    if (Exit.isFailure(exit)) throw new Error(`expected a valid job: ${String(exit.cause)}`)
    return exit.value
  }
  const only = (text: string) => {
    const found = problems(text)
    expect(found).toHaveLength(1)
    return found[0]!
  }

  it("a-file-that-is-no-json-at-all-says-what-it-is-and-what-to-write-a-bom-is-no-part-of-it", () => {
    const example = 'write the job as JSON, e.g. {"exports": [{"type": "answer", "id": "Revenue by Month"}]}'
    expect(only("")).toEqual({ path: "", message: `is empty: ${example}` })
    expect(only(" \n\t\n")).toEqual({ path: "", message: `is empty: ${example}` })
    for (const yaml of [
      "exports:\n  - type: answer\n    id: Revenue by Month\n",
      "---\nexports: []\n",
      "# nightly\nexports: []\n",
      "- type: answer\n"
    ]) {
      expect(only(yaml)).toEqual({ path: "", message: `looks like YAML, but a job file is JSON: ${example}` })
    }
    const job = '{"exports": [{"type": "answer", "id": "A"}]}'
    // A UTF-8 byte-order mark is no part of the document (the CLI's reading drops it too): the same job.
    expect(ok2(`\uFEFF${job}`).fingerprint).toBe(ok2(job).fingerprint)
    // UTF-16 (PowerShell's `>`) read as UTF-8: its mark as two replacement characters, NULs between the letters.
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(job, "utf16le")]).toString("utf8")
    expect(only(utf16).message).toMatch(/^is not UTF-8 text \(it looks like UTF-16, .*\): save it as UTF-8$/)
  })

  it("json5-habits-are-named-where-they-are-with-what-to-write", () => {
    expect(only('{\n  // nightly\n  "exports": [{"type": "answer", "id": "A"}]\n}').message).toBe(
      "is not valid JSON at line 2, column 3; JSON has no comments: remove the comment"
    )
    expect(only('{"exports": [{"type": "answer", "id": "A"} /* one */]}').message).toMatch(
      /column 44; JSON has no comments/
    )
    // The position of the comma itself, in an object and in a list.
    expect(only('{"exports": [{"type": "answer", "id": "A",}]}').message).toBe(
      "is not valid JSON at line 1, column 42; JSON has no comma after the last item: remove this comma"
    )
    expect(only('{"exports": [{"type": "answer", "id": "A"},\n]}').message).toBe(
      "is not valid JSON at line 1, column 43; JSON has no comma after the last item: remove this comma"
    )
    expect(only("{'exports': []}").message).toBe(
      'is not valid JSON at line 1, column 2; JSON text and keys go in double quotes ("…"), not single ones'
    )
    expect(only('{exports: [{"type": "answer", "id": "A"}]}').message).toMatch(
      /^is not valid JSON at line 1, column 2; a key or text without quotes: JSON writes keys and text in double quotes/
    )
  })

  it("a-key-of-another-export-type-or-block-says-where-it-belongs", () => {
    const found = problems(
      JSON.stringify({
        format: "csv",
        host: "https://ts.example.com",
        defaults: { output: "x", timeoutSeconds: 60 },
        exports: [
          { type: "search", table: "Orders", query: "[Region]", visualizations: ["Revenue"] },
          { type: "answer", id: "A", modifiedSince: "last", tmlTypes: ["ANSWER"] },
          { type: "liveboard", id: "L", split: 4 },
          { type: "metadata", metadataTypes: ["ANSWER"], since: "last" }
        ]
      })
    )
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]))
    expect(byPath).toEqual({
      format: 'unknown key here: "format" goes in "defaults" (for every export) or in an export: move it there',
      host: 'unknown key here: "host" goes in "connection": move it there',
      "defaults.output":
        'unknown key here: "output" is set in each export, not in "defaults": move it into the exports that need it',
      "defaults.timeoutSeconds": 'unknown key here: "timeoutSeconds" goes in "client": move it there',
      "exports[0].visualizations":
        'unknown key here: "visualizations" is for liveboard exports, not a search export: remove it',
      "exports[1].modifiedSince":
        'unknown key here: "modifiedSince" is for metadata and tml exports, not an answer export: remove it (an answer export reads only what is new with "sinceColumn" and "since")',
      "exports[1].tmlTypes": 'unknown key here: "tmlTypes" is for tml exports, not an answer export: remove it',
      "exports[2].split":
        'unknown key here: "split" is for answer and search exports, not a liveboard export: remove it',
      "exports[3].since":
        'unknown key here: "since" is for answer, liveboard, search and audit exports, not a metadata export: remove it (a metadata export reads only what is new with "modifiedSince")'
    })
    // Inside "load" (or "connection", "client") a word of another place means something else: a plain unknown key.
    expect(
      only(JSON.stringify({ exports: [{ type: "answer", id: "A" }], load: { into: "duckdb:w.duckdb", table: "t" } }))
    ).toEqual({ path: "load.table", message: "unknown key: remove it (or check its spelling)" })
    // A flag's name: the key a job file writes for it.
    const flags = problems(
      JSON.stringify({
        client: { timeout: 60 },
        exports: [
          { type: "answer", id: "A", "page-size": 100 },
          { type: "search", table: "T", query: "[A]", viz: ["x"] }
        ]
      })
    )
    expect(flags).toEqual([
      { path: "client.timeout", message: 'unknown key: a job file writes the flag --timeout as "timeoutSeconds"' },
      { path: "exports[0].page-size", message: 'unknown key: a job file writes the flag --page-size as "pageSize"' },
      {
        path: "exports[1].viz",
        message:
          'unknown key: a job file writes the flag --viz as "visualizations", and "visualizations" is for liveboard exports, not a search export: remove it'
      }
    ])
    // A typo still gets the nearest keys of its place.
    expect(
      only(JSON.stringify({ exports: [{ type: "search", table: "T", query: "[A]", sinceColum: "A", since: "1" }] }))
    ).toEqual({
      path: "exports[0].sinceColum",
      message: 'unknown key: remove it (or check its spelling); did you mean "sinceColumn" or "since"?'
    })
  })

  it("a-value-of-the-wrong-json-type-says-what-it-is-and-what-to-write-never-the-value", () => {
    const found = problems(
      JSON.stringify({
        version: 2,
        client: { timeoutSeconds: "60" },
        orgs: ["1482304613"],
        exports: [
          { type: "answer", id: 42, pageSize: "5000", strict: "true" },
          { type: "liveboard", id: "L", visualizations: "Revenue", strict: null, pageSize: 10.5 },
          { type: "answer", id: "B", sort: "Region", runtimeFilters: ["Region EQ West"], output: "b" }
        ]
      })
    )
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]))
    expect(byPath).toEqual({
      version: "must be 1, the version of the job file format this spotpipe reads (or leave it out)",
      "client.timeoutSeconds": "must be a number, not text: write it without the quotes",
      "orgs[0]": "must be a number, not text: write it without the quotes",
      "exports[0].id": "must be text in double quotes, not a number",
      "exports[0].pageSize": "must be a number, not text: write it without the quotes",
      "exports[0].strict": "must be true or false, not text: write it without the quotes",
      "exports[1].visualizations": 'must be a list in [ ], not text: write ["…"], even for one item',
      "exports[1].strict": "must be true or false, not null (or leave the key out)",
      "exports[1].pageSize": "must be a whole number",
      "exports[2].sort":
        'must be a list in [ ], not text: write [{"column": "Revenue", "order": "desc"}], even for one item',
      "exports[2].runtimeFilters[0]":
        'must be an object, not text: {"column": "Region", "op": "EQ", "values": ["West"]}'
    })
    expect(only(JSON.stringify({ exports: { type: "answer", id: "A" } })).message).toBe(
      'must be a list of exports in [ ], not an object: "exports": [{"type": "answer", "id": "Revenue by Month"}, …]'
    )
    expect(JSON.stringify(found)).not.toMatch(/1482304613|Region EQ West|5000/)
  })

  it("a-problem-in-an-export-names-the-exports-output-when-it-has-one", () => {
    const text = JSON.stringify({
      exports: [
        { type: "answer", id: "A", pageSize: 0 },
        { type: "search", table: "Orders", query: "[Region]", output: "monthly", pagesize: 10 }
      ]
    })
    expect(problems(text)).toEqual([
      { path: "exports[0].pageSize", message: "must be a whole number from 1 to 100000" },
      {
        path: "exports[1].pagesize",
        output: "monthly",
        message: 'unknown key: remove it (or check its spelling); did you mean "pageSize"?'
      }
    ])
    const exit = parseJobFile(text, "job.json")
    expect(Exit.isFailure(exit) ? String(exit.cause) : "").toContain(
      'exports[1].pagesize (output "monthly"): unknown key'
    )
  })

  it("the-same-export-twice-is-refused-the-same-answer-in-two-formats-is-not", () => {
    expect(
      only(
        JSON.stringify({
          defaults: { format: "ndjson" },
          exports: [
            { type: "answer", id: "Revenue by Month" },
            { type: "answer", id: "Revenue by Month", format: "csv" },
            { type: "answer", id: "Revenue by Month", format: "ndjson", strict: true }
          ]
        })
      )
    ).toEqual({
      path: "exports[2]",
      message:
        'is the same export as exports[0], with the same settings: it would write the same file a second time; remove one (or give it an "output" of its own if both copies are wanted)'
    })
    // Other settings, another object, or an output of its own: two exports meant.
    const keys = ok({
      exports: [
        { type: "answer", id: "A" },
        { type: "answer", id: "A", pageSize: 500 },
        { type: "answer", id: "B" },
        { type: "answer", id: "A", output: "copy" }
      ]
    }).exports.map((e) => e.key!)
    expect(keys[0]).toMatch(/^answer-A \[[0-9a-f]{8}\]$/)
    expect(keys[1]).toMatch(/^answer-A \[[0-9a-f]{8}\]$/)
    expect(keys[0]).not.toBe(keys[1])
    expect(keys.slice(2)).toEqual(["answer-B", "copy"])
  })

  it("a-mistyped-choice-names-the-closest-choices-never-the-value", () => {
    const found = problems(
      JSON.stringify({
        defaults: { format: "cvs" },
        exports: [
          { type: "metadata", metadataTypes: ["ANSWERS"] },
          { type: "tml", format: "yml" },
          { type: "answer", id: "A", columnNames: "snake_case" }
        ]
      })
    )
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]))
    expect(byPath["defaults.format"]).toBe('must be csv, ndjson or parquet (any case); did you mean "csv"?')
    expect(byPath["exports[0].metadataTypes[0]"]).toMatch(/ \(any case\); did you mean "ANSWER"\?$/)
    expect(byPath["exports[1].format"]).toBe('must be yaml or json (any case); did you mean "yaml"?')
    expect(byPath["exports[2].columnNames"]).toBe('must be original or snake (any case); did you mean "snake"?')
    expect(JSON.stringify(found)).not.toMatch(/cvs|ANSWERS|yml|snake_case/)
  })

  it("an-output-written-with-its-extension-is-refused-a-folders-name-is-free", () => {
    expect(
      problems(
        JSON.stringify({
          exports: [
            { type: "answer", id: "A", output: "orders.CSV" },
            { type: "search", table: "T", query: "[A]", format: "ndjson", output: "regions.ndjson" },
            { type: "answer", id: "B", format: "parquet", output: "b.csv" },
            { type: "liveboard", id: "L", output: "board.csv" }
          ]
        })
      )
    ).toEqual([
      {
        path: "exports[0].output",
        output: "orders.CSV",
        message:
          'is the file name without its extension, which spotpipe adds (it would write a file ending in .csv.csv): leave ".csv" out'
      },
      {
        path: "exports[1].output",
        output: "regions.ndjson",
        message:
          'is the file name without its extension, which spotpipe adds (it would write a file ending in .ndjson.ndjson): leave ".ndjson" out'
      }
    ])
  })

  it("a-default-no-export-takes-is-refused", () => {
    const found = problems(
      JSON.stringify({
        defaults: { format: "csv", nullString: "\\N", pageSize: 500, timezone: "UTC" },
        exports: [
          { type: "answer", id: "A", format: "ndjson", pageSize: 100 },
          { type: "tml", pageSize: 100 }
        ]
      })
    )
    expect(found).toEqual([
      {
        path: "defaults.format",
        message:
          'no export takes it: every export sets its own "format" or is a tml export (written as "yaml" unless it sets "format": "json"); remove it from "defaults" (or leave it out of an export that should take it)'
      },
      {
        path: "defaults.pageSize",
        message:
          'no export takes it: every export sets its own "pageSize"; remove it from "defaults" (or leave it out of an export that should take it)'
      },
      {
        path: "defaults.nullString",
        message:
          'no export takes it: every export sets its own "nullString" or writes no CSV (a null string is for CSV only); remove it from "defaults" (or leave it out of an export that should take it)'
      }
    ])
  })
})
