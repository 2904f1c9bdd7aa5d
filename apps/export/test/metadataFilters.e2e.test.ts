/**
 * `metadata --tag/--author`, `ls … --tag/--author` and a job file's `"tags"`/`"authors"`, end to end against a
 * loopback sandbox (through a proxy that keeps each `metadata/search` body): the filters go to ThoughtSpot as
 * `tag_identifiers` and `created_by_user_identifiers`, the manifest's query names them, a tag or author that
 * matches nothing is said (never a silent empty file), and the filters are part of an export's identity (its
 * default file name, its watermark).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { type RenamingProxy, startRewritingProxy } from "./support/RenamingProxy.ts"
import { manifestIn, sandboxEnv, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-metadata-filters-")
const timeout = { timeout: 60_000 }

let sandbox: RunningSandbox
let proxy: RenamingProxy
let env: Record<string, string>
/** The `metadata/search` bodies the proxy passed on, in order. */
const searches: Array<Record<string, unknown>> = []

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 100 })
  proxy = await startRewritingProxy(sandbox.url, {
    request: (body) => {
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>
        if (Array.isArray(parsed["metadata"]) && "sort_options" in parsed) searches.push(parsed)
      } catch {
        // not JSON: not a search
      }
      return body
    }
  })
  env = sandboxEnv(proxy)
})

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const rows = (text: string): Array<Record<string, unknown>> =>
  text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)

const names = (text: string) => rows(text).map((r) => r["name"])

/** The seeded answers' tags (Certified aside). */
const seededTags: Readonly<Record<string, ReadonlyArray<string>>> = {
  Finance: ["Quarterly Returns by Region", "Revenue by Month", "Top Customers (restricted)"],
  Sales: ["Order Details", "Revenue by Region and Product"]
}

/** The seeded answers with any of `tags`, by name. */
const answersTagged = (...tags: ReadonlyArray<string>) => [...new Set(tags.flatMap((t) => seededTags[t]!))].sort()

const listAnswers = (...flags: ReadonlyArray<string>) =>
  runCliInProcess(["metadata", "--type", "ANSWER", "--format", "ndjson", "--out", "-", ...flags], { env })

interface Manifest {
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly source: { readonly query: string | null }
    readonly rows_written: number
    readonly warnings: ReadonlyArray<string>
  }>
}

describe("metadata --tag and --author", () => {
  it("tags-and-authors-are-sent-to-thoughtspot-as-its-filters", timeout, async () => {
    searches.length = 0
    const run = await listAnswers("--tag", "Finance,Sales", "--author", fixtures.user.username)
    expect(run.code, run.stderr).toBe(0)
    // Every page's request (a listing may take more than one).
    expect(searches.length).toBeGreaterThan(0)
    for (const search of searches) {
      expect([search["tag_identifiers"], search["created_by_user_identifiers"]]).toEqual([
        ["Finance", "Sales"],
        [fixtures.user.username]
      ])
    }
    // Any of the tags: objects with either.
    expect([...names(run.stdout)].sort()).toEqual(answersTagged("Finance", "Sales"))
    expect(run.stderr).not.toMatch(/matched no/)
  })

  it("a-listing-without-filters-asks-for-none", timeout, async () => {
    searches.length = 0
    const run = await listAnswers()
    expect(run.code, run.stderr).toBe(0)
    expect(searches.length).toBeGreaterThan(0)
    for (const search of searches) {
      expect(search).not.toHaveProperty("tag_identifiers")
      expect(search).not.toHaveProperty("created_by_user_identifiers")
    }
  })

  it("a-tag-given-by-guid-lists-what-its-name-lists", timeout, async () => {
    const tags = await runCliInProcess(["metadata", "--type", "TAG", "--format", "ndjson", "--out", "-"], { env })
    expect(tags.code, tags.stderr).toBe(0)
    const finance = rows(tags.stdout).find((t) => t["name"] === "Finance")!["id"] as string
    const byGuid = await listAnswers("--tag", finance)
    expect(byGuid.code, byGuid.stderr).toBe(0)
    expect([...names(byGuid.stdout)].sort()).toEqual(answersTagged("Finance"))
    // Its objects carry the tag by name and GUID: the GUID matched.
    expect(byGuid.stderr).not.toMatch(/matched no/)
  })

  it("a-tag-that-matches-nothing-is-named-in-a-warning-and-the-manifest", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(
      ["metadata", "--type", "ANSWER", "--tag", "Finance,Finanse", "--format", "ndjson", "--out", dir],
      { env }
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/tag "Finanse" matched no ANSWER object this user can see/)
    expect(run.stderr).not.toMatch(/tag "Finance" matched/)
    const [output] = manifestIn<Manifest>(dir).outputs
    expect(output!.rows_written).toBe(answersTagged("Finance").length)
    expect(output!.source.query).toBe('tag in ["Finance", "Finanse"]')
    expect(output!.warnings).toEqual([expect.stringMatching(/^tag "Finanse" matched no ANSWER object/)])
  })

  it("an-author-who-created-nothing-gives-an-empty-listing-with-a-warning", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(
      ["metadata", "--type", "ANSWER,LIVEBOARD", "--author", "tsViewer", "--format", "ndjson", "--out", dir],
      { env }
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/author "tsViewer" matched no ANSWER, LIVEBOARD object this user can see/)
    const [output] = manifestIn<Manifest>(dir).outputs
    expect(output!.rows_written).toBe(0)
    expect(output!.source.query).toBe('author in ["tsViewer"]')
    expect(output!.warnings).toHaveLength(1)
  })

  it("the-manifest-query-names-the-filters-and-the-modified-since", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(
      [
        "metadata",
        "--type",
        "ANSWER",
        "--tag",
        "Sales",
        "--author",
        "tsUserA",
        "--modified-since",
        "2000-01-01",
        "--out",
        dir
      ],
      { env }
    )
    expect(run.code, run.stderr).toBe(0)
    expect(manifestIn<Manifest>(dir).outputs[0]!.source.query).toBe(
      'tag in ["Sales"] and author in ["tsUserA"] and modified >= 2000-01-01T00:00:00.000Z'
    )
  })

  it.each([
    [["--tag", "Finance,"], /--tag "Finance," has an empty item/],
    [["--tag", "Finance,,Sales"], /--tag "Finance,,Sales" has an empty item/],
    [["--author", " "], /--author is empty: give one or more user names or GUIDs/]
  ])("an-empty-filter-item-is-refused %j", timeout, async (flags, message) => {
    searches.length = 0
    const run = await listAnswers(...flags)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(searches).toEqual([])
  })
})

describe("the sandbox's metadata/search filters", () => {
  it.each([["tag_identifiers"], ["created_by_user_identifiers"]])(
    "an-empty-%s-filters-nothing",
    timeout,
    async (field) => {
      const dir = tempDir()
      const input = NodePath.join(dir, "search.json")
      const search = async (body: object) => {
        NodeFs.writeFileSync(input, JSON.stringify({ metadata: [{ type: "ANSWER" }], record_size: 100, ...body }))
        const run = await runCliInProcess(["api", "POST", "metadata/search", "--input", input], { env })
        expect(run.code, run.stderr).toBe(0)
        return (JSON.parse(run.stdout) as ReadonlyArray<{ metadata_name: string }>).map((o) => o.metadata_name)
      }
      const all = await search({})
      expect(all.length).toBeGreaterThan(0)
      expect(await search({ [field]: [] })).toEqual(all)
    }
  )
})

describe("ls with --tag and --author", () => {
  it("ls-answers-lists-those-thoughtspot-lists-for-the-tag", timeout, async () => {
    searches.length = 0
    const run = await runCliInProcess(["ls", "answers", "--tag", "Finance", "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(searches.length).toBeGreaterThan(0)
    for (const search of searches) expect(search["tag_identifiers"]).toEqual(["Finance"])
    expect([...names(run.stdout)].sort()).toEqual(answersTagged("Finance"))
  })

  it("ls-with-a-tag-that-matches-nothing-warns-and-says-so-in-its-footer", timeout, async () => {
    const run = await runCliInProcess(["ls", "liveboards", "--tag", "Nope", "--author", "tsUserA"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/tag "Nope" matched no liveboard this user can see/)
    expect(run.stdout).toMatch(/0 liveboards tagged "Nope" by "tsUserA"/)
  })
})

describe("a job file's tags and authors", () => {
  it("metadata-exports-differing-only-in-tags-get-their-own-files", timeout, async () => {
    const dir = tempDir()
    const job = writeJob(dir, {
      defaults: { format: "ndjson" },
      exports: [
        { type: "metadata", metadataTypes: ["ANSWER"], tags: ["Finance"] },
        { type: "metadata", metadataTypes: ["ANSWER"], tags: ["Sales"] }
      ]
    })
    const out = NodePath.join(dir, "out")
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)
    const outputs = manifestIn<Manifest>(out).outputs
    expect(new Set(outputs.map((o) => o.file)).size).toBe(2)
    const byQuery = Object.fromEntries(
      outputs.map((o) => [o.source.query, names(NodeFs.readFileSync(NodePath.join(out, o.file), "utf8")).sort()])
    )
    expect(byQuery).toEqual({
      'tag in ["Finance"]': answersTagged("Finance"),
      'tag in ["Sales"]': answersTagged("Sales")
    })
  })

  it.each([
    [{ tags: [] }, /tags.*list at least one tag, or omit the key/],
    [{ authors: ["  "] }, /authors\[0\].*must not be blank/]
  ])("an-empty-filter-in-a-job-file-is-refused %j", timeout, async (filter, message) => {
    const dir = tempDir()
    const job = writeJob(dir, { exports: [{ type: "metadata", metadataTypes: ["ANSWER"], ...filter }] })
    const run = await runCliInProcess(["run", job, "--out", NodePath.join(dir, "out")], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })

  it("an-incremental-metadata-export's-watermark-is-its-tags'-in-any-order", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "out")
    const job = (tags: ReadonlyArray<string>, modifiedSince: string) =>
      writeJob(dir, {
        defaults: { format: "ndjson" },
        exports: [{ type: "metadata", metadataTypes: ["ANSWER"], tags, modifiedSince, output: "answers" }]
      })
    const first = await runCliInProcess(["run", job(["Finance", "Sales"], "2000-01-01"), "--out", out, "--quiet"], {
      env
    })
    expect(first.code, first.stderr).toBe(0)
    // The same tags listed in another order (and one twice) are the same export: it continues from its watermark.
    const again = await runCliInProcess(
      ["run", job(["Sales", "Finance", "Sales"], "last"), "--out", out, "--force", "--quiet"],
      { env }
    )
    expect(again.code, again.stderr).toBe(0)
    // Other tags read other objects: the listing's watermark is not their starting point.
    const other = await runCliInProcess(["run", job(["Sales"], "last"), "--out", out, "--force", "--quiet"], { env })
    expect(other.code).toBe(1)
    expect(other.stderr).toMatch(/needs an earlier successful run of this export/)
  })
})

describe("the help's filter examples", () => {
  it.each([
    [["metadata"], "--tag Finance,Sales --author tsUserA", ["Revenue by Month", "Order Details"]],
    [["ls", "answers"], "--tag Certified", ["Revenue by Month"]],
    [["ls", "liveboards"], "--tag Certified", ["Sales Overview"]],
    [["ls", "tables"], "--tag Certified", ["Orders"]]
  ])("%j-example-runs-as-typed", timeout, async (command, flags, listed) => {
    const help = await runCliInProcess([...command, "--help"])
    expect(help.code, help.stderr).toBe(0)
    const line = help.stdout
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.startsWith(`spotpipe ${command.join(" ")} `) && l.includes(flags))
    expect(line).toBeDefined()
    const run = await runCliInProcess(line!.split(/\s+/).slice(1))
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).not.toMatch(/matched no/)
    for (const name of listed) expect(run.stdout).toContain(name)
    // Untagged: left out by the server.
    expect(run.stdout).not.toMatch(/Weekly Shipments/)
  })
})
