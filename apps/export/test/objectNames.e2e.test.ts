/**
 * Which object an export reads, end to end (the built CLI against a loopback sandbox behind a rewriting proxy that
 * shows objects a cluster can have and the sandbox's fixtures do not): a name that moved to another object between a
 * run and its `--resume`, a name that is another object's GUID, a GUID in upper case, a cluster that matches names
 * ignoring case, two visualizations of one liveboard sharing a name, a liveboard without visualizations, and a
 * cluster that answers a visualization's GUID in another case. Runs are in-process (runCliInProcess), a
 * visualization written to stdout (`--out -`) included, but one real process: an answer by name as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { type RenamingProxy, startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-object-names-")
const timeout = { timeout: 60_000 }

type Json = Record<string, unknown>

/** The sheets of an item's `metadata_detail` (`reportContent.sheets`, ThoughtSpot's documented layout). */
const sheetsOf = (item: Json): Array<Json> =>
  (((item["metadata_detail"] as Json | null)?.["reportContent"] as Json | undefined)?.["sheets"] ?? []) as Array<Json>

/** The headers (`id`, `name`) of a liveboard's pinned visualizations in its `metadata_detail`. */
const pinnedHeaders = (item: Json): Array<Json> =>
  sheetsOf(item).flatMap((sheet) =>
    (((sheet["sheetContent"] as Json)["visualizations"] ?? []) as Array<Json>).map((v) => v["header"] as Json)
  )

/** How the proxy shows the cluster: set by each test, reset after it. */
interface View {
  /** Names shown swapped (as JSON text, in requests and responses alike). */
  swap?: readonly [string, string]
  /** Rewrites a parsed response of `path` (the request's JSON body given). */
  response?: (path: string, body: Json, answer: unknown) => unknown
  /** Rewrites every parsed request body. */
  request?: (body: Json) => Json
}

let sandbox: RunningSandbox
let proxy: RenamingProxy
let view: View = {}
const env = () => sandboxEnv(proxy)

const swapText = (text: string, pair: readonly [string, string] | undefined) => {
  if (pair === undefined) return text
  const [a, b] = pair.map((name) => JSON.stringify(name).slice(1, -1)) as [string, string]
  return text
    .split(a)
    .map((part) => part.split(b).join(a))
    .join(b)
}

const pathOf = (url: string) => url.replace(/^\/api\/rest\/2\.0\//, "")

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })
  proxy = await startRewritingProxy(sandbox.url, {
    request: (text) => {
      const swapped = swapText(text, view.swap)
      if (view.request === undefined) return swapped
      try {
        return JSON.stringify(view.request(JSON.parse(swapped) as Json))
      } catch {
        return swapped
      }
    },
    response: (text, request) => {
      const swapped = swapText(text, view.swap)
      if (view.response === undefined || swapped === "") return swapped
      let parsed: unknown
      try {
        parsed = JSON.parse(swapped)
      } catch {
        return swapped
      }
      const body = request.body === undefined ? {} : (JSON.parse(request.body) as Json)
      return JSON.stringify(view.response(pathOf(request.url), body, parsed))
    }
  })
})

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const answerId = (name: keyof typeof fixtures.answers) => fixtures.answers[name].id
const salesOverview = () => fixtures.liveboards["Sales Overview"]

const manifestOf = (dir: string) =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
    outputs: ReadonlyArray<{
      file: string
      rows_written: number
      resume: string
      source: { id: string; name: string; viz: unknown }
    }>
  }

/** Each metadata/search item whose name or GUID `pick` accepts, rewritten by `change`. */
const eachItem = (answer: unknown, pick: (item: Json) => boolean, change: (item: Json) => void) => {
  for (const item of answer as ReadonlyArray<Json>) if (pick(item)) change(item)
  return answer
}

describe("which object an export reads", () => {
  it("resume-never-keeps-the-file-of-an-object-whose-name-another-object-took", timeout, async () => {
    const out = tempDir()
    view = {}
    const first = await runCliInProcess(["answer", "Revenue by Month", "--out", out], { env: env() })
    expect(first.code, first.stderr).toBe(0)
    const file = NodePath.join(out, "answer-Revenue by Month.csv")
    expect(NodeFs.readFileSync(file, "utf8")).toMatch(/^Month\(Order Date\),/)

    // Renamed since: "Revenue by Month" is now the other answer (and the first one is called "Weekly Shipments").
    view = { swap: ["Revenue by Month", "Weekly Shipments"] }
    const resumed = await runCliInProcess(["answer", "Revenue by Month", "--out", out, "--resume"], { env: env() })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(NodeFs.readFileSync(file, "utf8")).toMatch(/^Week\(Shipped At\),/)
    const [output] = manifestOf(out).outputs
    expect(output?.source.id).toBe(answerId("Weekly Shipments"))
    expect(output?.resume).toBe("written")
    view = {}
  })

  it("a-guid-wins-over-an-object-named-with-that-guid", timeout, async () => {
    const out = tempDir()
    const revenue = answerId("Revenue by Month")
    // Another answer whose name is the text of this one's GUID: a cluster matches both.
    view = {
      response: (path, body, answer) => {
        const wanted = (body["metadata"] as ReadonlyArray<Json> | undefined)?.[0]?.["identifier"]
        const items = answer as Array<Json>
        if (path !== "metadata/search" || wanted !== revenue || items.length === 0) return answer
        const copy = JSON.parse(JSON.stringify(items[0])) as Json
        copy["metadata_id"] = answerId("Weekly Shipments")
        copy["metadata_name"] = revenue
        return [copy, ...items]
      }
    }
    const run = await runCliInProcess(["answer", revenue, "--out", out], { env: env() })
    view = {}
    expect(run.code, run.stderr).toBe(0)
    expect(manifestOf(out).outputs[0]?.source.id).toBe(revenue)
  })

  it("a-name-two-objects-share-is-refused-with-their-guids", timeout, async () => {
    const revenue = answerId("Revenue by Month")
    const weekly = answerId("Weekly Shipments")
    // Another answer of the same name: a cluster lists both for that name, paged by position as any listing.
    let listed: Array<Json> = []
    view = {
      response: (path, body, answer) => {
        const wanted = (body["metadata"] as ReadonlyArray<Json> | undefined)?.[0]?.["identifier"]
        if (path !== "metadata/search" || wanted !== "Revenue by Month") return answer
        const offset = Number(body["record_offset"] ?? 0)
        const items = answer as Array<Json>
        if (offset === 0 && items.length > 0) {
          const copy = JSON.parse(JSON.stringify(items[0])) as Json
          copy["metadata_id"] = weekly
          listed = [...items, copy]
        }
        return listed.slice(offset, offset + Number(body["record_size"] ?? 10))
      }
    }
    const out = tempDir()
    const run = await runCli(["answer", "Revenue by Month", "--out", out], { env: env() })
    view = {}
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `2 objects of type ANSWER are named "Revenue by Month": use the GUID instead (${revenue}, ${weekly}; spotpipe ls answers shows which is which)`
    )
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
  })

  it("a-guid-in-upper-case-is-that-guid", timeout, async () => {
    const out = tempDir()
    view = {}
    const revenue = answerId("Revenue by Month")
    const run = await runCliInProcess(["answer", revenue.toUpperCase(), "--out", out], { env: env() })
    expect(run.code, run.stderr).toBe(0)
    expect(manifestOf(out).outputs[0]?.source.id).toBe(revenue)

    const viz = salesOverview().visualizations.find((v) => v.name === "Revenue by Region")!
    const byViz = await runCliInProcess(
      ["liveboard", "Sales Overview", "--viz", viz.id.toUpperCase(), "--out", tempDir()],
      {
        env: env()
      }
    )
    expect(byViz.code, byViz.stderr).toBe(0)
  })

  it("a-guid-of-another-type-says-what-it-is-and-how-to-export-it", timeout, async () => {
    view = {}
    const liveboard = salesOverview()
    const run = await runCliInProcess(["answer", liveboard.id, "--out", tempDir()], { env: env() })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `${liveboard.id} is the GUID of liveboard "Sales Overview", not of an answer: export it as a liveboard (spotpipe liveboard)`
    )
    const table = await runCliInProcess(["liveboard", fixtures.ordersTable.id.toUpperCase(), "--out", tempDir()], {
      env: env()
    })
    expect(table.code).toBe(1)
    expect(table.stderr).toContain(
      `is the GUID of table or model "Orders", not of a liveboard: export it with a search on it (spotpipe search --table)`
    )
  })

  it("an-object-of-another-type-the-cluster-matched-by-guid-is-not-taken", timeout, async () => {
    const liveboard = salesOverview()
    // A cluster that matches a GUID whatever the type asked for: the liveboard comes back for an ANSWER search.
    view = {
      request: (body) => {
        const items = body["metadata"] as Array<Json> | undefined
        if (items?.[0]?.["identifier"] === liveboard.id) items[0]!["type"] = "LIVEBOARD"
        return body
      }
    }
    const run = await runCliInProcess(["answer", liveboard.id, "--out", tempDir()], { env: env() })
    view = {}
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`is the GUID of liveboard "Sales Overview", not of an answer`)
  })

  it("a-name-the-cluster-matched-ignoring-case-is-not-taken", timeout, async () => {
    const out = tempDir()
    // A cluster matching "REVENUE BY MONTH" to the answer named "Revenue by Month".
    view = {
      request: (body) => JSON.parse(JSON.stringify(body).split('"REVENUE BY MONTH"').join('"Revenue by Month"')) as Json
    }
    const run = await runCliInProcess(["answer", "REVENUE BY MONTH", "--out", out], { env: env() })
    view = {}
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('no answer "REVENUE BY MONTH" found')
    expect(run.stderr).toContain('did you mean "Revenue by Month"?')
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
  })

  it("two-visualizations-of-one-name-are-named-by-guid-not-the-first-taken", timeout, async () => {
    const liveboard = salesOverview()
    const yearly = liveboard.visualizations.find((v) => v.name === "Yearly Orders")!
    const region = liveboard.visualizations.find((v) => v.name === "Revenue by Region")!
    view = {
      response: (path, _body, answer) => {
        if (path === "metadata/search") {
          return eachItem(
            answer,
            (item) => item["metadata_id"] === liveboard.id,
            (item) => {
              for (const v of pinnedHeaders(item)) if (v["id"] === yearly.id) v["name"] = "Revenue by Region"
            }
          )
        }
        return answer
      }
    }
    const out = tempDir()
    const run = await runCliInProcess(["liveboard", "Sales Overview", "--viz", "Revenue by Region", "--out", out], {
      env: env()
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('has 2 visualizations named "Revenue by Region"')
    expect(run.stderr).toContain(region.id)
    expect(run.stderr).toContain(yearly.id)
    const byGuid = await runCliInProcess(["liveboard", "Sales Overview", "--viz", yearly.id, "--out", out], {
      env: env()
    })
    view = {}
    expect(byGuid.code, byGuid.stderr).toBe(0)
    expect(manifestOf(out).outputs.map((o) => (o.source.viz as { id: string }).id)).toEqual([yearly.id])
  })

  it("a-viz-name-with-commas-is-not-read-as-other-visualizations", timeout, async () => {
    const liveboard = salesOverview()
    const yearly = liveboard.visualizations.find((v) => v.name === "Yearly Orders")!
    // Named as ThoughtSpot names charts, from two other visualizations' names.
    const name = "Revenue by Region, Top 10 Customers"
    view = {
      response: (path, _body, answer) =>
        path === "metadata/search"
          ? eachItem(
              answer,
              (item) => item["metadata_id"] === liveboard.id,
              (item) => {
                for (const v of pinnedHeaders(item)) if (v["id"] === yearly.id) v["name"] = name
              }
            )
          : answer
    }
    const out = tempDir()
    const run = await runCliInProcess(["liveboard", "Sales Overview", "--viz", name, "--out", out], { env: env() })
    view = {}
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`has commas in its name: give its GUID in --viz instead (${yearly.id})`)
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
  })

  it("a-liveboard-without-visualizations-fails-instead-of-writing-nothing", timeout, async () => {
    const liveboard = salesOverview()
    view = {
      response: (path, _body, answer) =>
        path === "metadata/search"
          ? eachItem(
              answer,
              (item) => item["metadata_id"] === liveboard.id && item["metadata_detail"] !== null,
              (item) => {
                for (const sheet of sheetsOf(item)) (sheet["sheetContent"] as Json)["visualizations"] = []
              }
            )
          : answer
    }
    const out = tempDir()
    const run = await runCliInProcess(["liveboard", "Sales Overview", "--out", out], { env: env() })
    view = {}
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('liveboard "Sales Overview"')
    expect(run.stderr).toContain("has no visualizations")
  })

  it("a-visualization-guid-answered-in-another-case-keeps-its-rows", timeout, async () => {
    const out = tempDir()
    view = {
      response: (path, _body, answer) => {
        if (path !== "metadata/liveboard/data") return answer
        for (const c of (answer as Json)["contents"] as Array<Json>) {
          c["visualization_id"] = String(c["visualization_id"]).toUpperCase()
        }
        return answer
      }
    }
    const run = await runCliInProcess(["liveboard", "Sales Overview", "--viz", "Revenue by Region", "--out", out], {
      env: env()
    })
    view = {}
    expect(run.code, run.stderr).toBe(0)
    const [output] = manifestOf(out).outputs
    expect(output?.rows_written).toBeGreaterThan(0)
    const direct = await runCliInProcess(["liveboard", "Sales Overview", "--viz", "Revenue by Region", "--out", "-"], {
      env: sandboxEnv(sandbox)
    })
    expect(NodeFs.readFileSync(NodePath.join(out, output!.file), "utf8")).toBe(direct.stdout)
  })
})
