/**
 * The admin exports end to end (the packed CLI against loopback sandboxes): `spotpipe tml` (a TML document per
 * object, YAML or JSON, users/groups/roles through the batched endpoint, a failed item listed and exit 1 after the
 * rest), `spotpipe principals` (tables whose memberships are the sandbox's), `spotpipe permissions`, `--orgs all`
 * over the sandbox's three active Orgs (each Org's folder holds its own objects only; its inactive Org is skipped,
 * see orgs.e2e.test.ts) and the job file's admin types. Runs are in-process (runCliInProcess) but two real
 * processes: the first `tml` export, so the command runs once as installed, and `--out -`, refused on stdout.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { parse as parseYaml } from "yaml"
import { withDuckDb } from "./load/support/loadHelpers.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-admin-e2e-"))
let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 200, seed: 3 })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

interface ManifestLike {
  readonly exports: ReadonlyArray<{
    readonly export: string
    readonly status: string
    readonly error: string | null
    readonly files: ReadonlyArray<string>
    readonly failed_items?: ReadonlyArray<{ readonly file: string; readonly what: string; readonly error: string }>
    readonly org?: { readonly id: number; readonly name: string }
  }>
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly format: string
    readonly bytes: number
    readonly sha256: string
    readonly resume: string
    readonly source: {
      readonly type: string
      readonly id: string | null
      readonly name: string | null
      readonly query?: string | null
    }
    readonly org?: { readonly id: number; readonly name: string }
    readonly rows_written: number
  }>
}

const manifestOf = (dir: string): ManifestLike =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as ManifestLike

/** Every file under `dir` (relative paths), state and manifests left out. */
const dataFiles = (dir: string): Array<string> =>
  (NodeFs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<NodeFs.Dirent>)
    .filter((e) => e.isFile())
    .map((e) => NodePath.relative(dir, NodePath.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith("manifest") && !f.startsWith(".spotpipe"))
    .sort()

/** Each output's bytes hash to what the manifest records. */
const expectHashes = (dir: string, manifest: ManifestLike) => {
  for (const output of manifest.outputs) {
    const bytes = NodeFs.readFileSync(NodePath.join(dir, output.file))
    expect(bytes.length).toBe(output.bytes)
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(output.sha256)
  }
}

/** CSV text of a table without quotes or nulls (the principal tables' values here), as objects. */
const csvRecords = (text: string): Array<Record<string, string>> => {
  const [header, ...lines] = text.trimEnd().split("\r\n")
  const names = header!.split(",")
  return lines.map((line) => Object.fromEntries(line.split(",").map((value, i) => [names[i]!, value])))
}

/**
 * A loopback proxy to `target` whose first `metadata/search` page for ANSWER objects lists one more answer, which
 * the cluster no longer has (deleted between the listing and the export): its TML export is an ERROR item.
 */
const startListingProxy = (target: string, ghost: { readonly id: string; readonly name: string }) =>
  startRewritingProxy(target, {
    response: (text, { url, body }) => {
      const request = body === undefined ? {} : (JSON.parse(body) as Record<string, unknown>)
      const types = JSON.stringify(request["metadata"] ?? [])
      if (!url.endsWith("/metadata/search") || !types.includes('"ANSWER"') || request["record_offset"]) return text
      const items = JSON.parse(text) as Array<unknown>
      items.push({ metadata_type: "ANSWER", metadata_id: ghost.id, metadata_name: ghost.name })
      return JSON.stringify(items)
    }
  })

const primary = fixtures.orgs[0]!
/** The Orgs `--orgs all` exports: the inactive one is skipped with a warning (see orgs.e2e.test.ts). */
const activeOrgs = fixtures.orgs.filter((o) => o.status === "ACTIVE")
const inactiveSkipped = (stderr: string) =>
  expect(stderr.trimEnd().split("\n")).toEqual([
    expect.stringContaining("spotpipe: warning: --orgs all skips an inactive Org")
  ])

describe("spotpipe tml", () => {
  it("writes-one-yaml-document-per-object-of-each-type-recorded-with-its-sha256", async () => {
    const out = NodePath.join(root, "tml-yaml")
    const run = await runCli(
      ["tml", "--type", "LIVEBOARD,ANSWER,LOGICAL_TABLE,USER,USER_GROUP,ROLE", "--out", out, "--quiet"],
      { env }
    )
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const manifest = manifestOf(out)
    expectHashes(out, manifest)
    expect(manifest.outputs.every((o) => o.format === "yaml")).toBe(true)
    // Every answer, liveboard and the model of the Primary Org: one file each, named after it, its guid inside.
    const objects = Object.entries(primary.objects).filter(([, o]) =>
      ["ANSWER", "LIVEBOARD", "LOGICAL_TABLE"].includes(o.type)
    )
    for (const [name, object] of objects) {
      const file = `tml/${object.type.toLowerCase()}/${name}.tml`
      const document = parseYaml(NodeFs.readFileSync(NodePath.join(out, file), "utf8")) as Record<string, unknown>
      expect(document["guid"]).toBe(object.id)
    }
    // Users through the batched endpoint: each of the Org's users once.
    const users = dataFiles(out).filter((f) => f.startsWith("tml/user/"))
    expect(users).toEqual(primary.users.map((u) => `tml/user/${u.username}.tml`).sort())
    for (const user of primary.users) {
      const document = parseYaml(NodeFs.readFileSync(NodePath.join(out, `tml/user/${user.username}.tml`), "utf8"))
      expect(document).toMatchObject({ guid: user.id, user: { name: user.username } })
    }
    expect(dataFiles(out).filter((f) => f.startsWith("tml/user_group/")).length).toBeGreaterThan(0)
    expect(dataFiles(out).filter((f) => f.startsWith("tml/role/")).length).toBe(2)
    // Every file is in the manifest, and nothing else is in the folder.
    expect(manifest.outputs.map((o) => o.file).sort()).toEqual(dataFiles(out))
    expect(manifest.outputs.length).toBe(
      objects.length + primary.users.length + dataFiles(out).filter((f) => /^tml\/(user_group|role)\//.test(f)).length
    )
  })

  it("json-documents-are-tml-json-files-holding-the-same-document", async () => {
    const yamlDir = NodePath.join(root, "tml-yaml-2")
    const jsonDir = NodePath.join(root, "tml-json")
    expect((await runCliInProcess(["tml", "--type", "LIVEBOARD", "--out", yamlDir, "--quiet"], { env })).code).toBe(0)
    const run = await runCliInProcess(["tml", "--type", "LIVEBOARD", "--format", "json", "--out", jsonDir, "--quiet"], {
      env
    })
    expect(run.code).toBe(0)
    const files = dataFiles(jsonDir)
    expect(files).toEqual(dataFiles(yamlDir).map((f) => `${f}.json`))
    for (const file of files) {
      const json = JSON.parse(NodeFs.readFileSync(NodePath.join(jsonDir, file), "utf8"))
      const yaml = parseYaml(NodeFs.readFileSync(NodePath.join(yamlDir, file.slice(0, -".json".length)), "utf8"))
      expect(json).toEqual(yaml)
    }
    expectHashes(jsonDir, manifestOf(jsonDir))
  })

  it("the-summary-counts-documents-not-rows", async () => {
    const out = NodePath.join(root, "tml-summary")
    const run = await runCliInProcess(["tml", "--type", "LIVEBOARD", "--out", out], { env })
    expect(run.code).toBe(0)
    const documents = manifestOf(out).outputs.length
    expect(documents).toBeGreaterThan(1)
    expect(run.stdout).toMatch(new RegExp(`\\n${documents} documents in \\S+tml-summary\\n$`))
    expect(run.stdout).not.toMatch(/ 0 rows|^tml .* 0 /m)
  })

  it("an-item-thoughtspot-answers-with-error-is-a-failure-in-the-manifest-after-the-others-are-written-exit-1", async () => {
    const ghost = { id: "0badc0de-0000-4000-8000-000000000001", name: "Deleted Answer" }
    const proxy = await startListingProxy(sandbox.url, ghost)
    try {
      const out = NodePath.join(root, "tml-failed-item")
      const run = await runCliInProcess(["tml", "--type", "ANSWER", "--out", out, "--quiet"], {
        env: { ...env, THOUGHTSPOT_HOST: proxy.url }
      })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("1 of 8 documents could not be exported")
      expect(run.stderr).toContain(`No ANSWER with id or name '${ghost.id}' exists`)
      const manifest = manifestOf(out)
      const [status] = manifest.exports
      expect(status!.status).toBe("failed")
      expect(status!.failed_items).toEqual([
        {
          file: "tml/answer/Deleted Answer.tml",
          what: 'TML of answer "Deleted Answer"',
          error: `TML of answer "Deleted Answer": ThoughtSpot answered ERROR: No ANSWER with id or name '${ghost.id}' exists.`
        }
      ])
      // The sandbox's seven answers are written and recorded; the failed one has no file.
      const answers = Object.entries(primary.objects).filter(([, o]) => o.type === "ANSWER")
      expect(dataFiles(out)).toEqual(answers.map(([name]) => `tml/answer/${name}.tml`).sort())
      expect(manifest.outputs.map((o) => o.file).sort()).toEqual(dataFiles(out))
      expectHashes(out, manifest)
    } finally {
      await proxy.close()
    }
  })

  it("associated-adds-each-object-the-listed-ones-are-built-on-once-in-its-type-s-folder", async () => {
    const out = NodePath.join(root, "tml-associated")
    const run = await runCliInProcess(["tml", "--type", "ANSWER", "--associated", "--out", out, "--quiet"], { env })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const answers = Object.entries(primary.objects).filter(([, o]) => o.type === "ANSWER")
    // Every answer is built on the Orders model: written once, beside the answers.
    expect(dataFiles(out)).toEqual(
      [...answers.map(([name]) => `tml/answer/${name}.tml`), "tml/logical_table/Orders.tml"].sort()
    )
    const model = parseYaml(NodeFs.readFileSync(NodePath.join(out, "tml/logical_table/Orders.tml"), "utf8"))
    expect(model.guid).toBe(fixtures.ordersTable.id)
    expectHashes(out, manifestOf(out))
  })

  it("dry-run-lists-the-documents-and-writes-nothing", async () => {
    const out = NodePath.join(root, "tml-dry")
    const run = await runCliInProcess(["tml", "--type", "LIVEBOARD", "--dry-run", "--json", "--out", out], { env })
    expect(run.code).toBe(0)
    const plan = JSON.parse(run.stdout) as { outputs: Array<{ file: string; format: string }> }
    const liveboards = Object.entries(primary.objects).filter(([, o]) => o.type === "LIVEBOARD")
    expect(plan.outputs.map((o) => o.file).sort()).toEqual(
      liveboards.map(([name]) => `tml/liveboard/${name}.tml`).sort()
    )
    expect(plan.outputs.every((o) => o.format === "yaml")).toBe(true)
    expect(NodeFs.existsSync(out)).toBe(false)
  })

  it("modified-since-last-writes-each-object-of-a-shared-name-into-its-own-file-never-another-s", async () => {
    // Two answers listed under one name ("Same.tml" and "Same (2).tml"); then only the one in "Same (2).tml" changes.
    const own = await startSandbox({ rows: 50, seed: 3 })
    const ids = [primary.objects["Revenue by Month"]!.id, primary.objects["Order Details"]!.id].sort()
    const [first, second] = [ids[0]!, ids[1]!]
    const proxy = await startRewritingProxy(own.url, {
      response: (text, { url }) => {
        if (!url.endsWith("/metadata/search")) return text
        const items = JSON.parse(text) as Array<Record<string, unknown>>
        for (const item of items) {
          if (item["metadata_id"] === first || item["metadata_id"] === second) item["metadata_name"] = "Same"
        }
        return JSON.stringify(items)
      }
    })
    try {
      const out = NodePath.join(root, "tml-incremental-same-name")
      const runEnv = { ...sandboxEnv(own), THOUGHTSPOT_HOST: proxy.url }
      const guidIn = (file: string) =>
        (parseYaml(NodeFs.readFileSync(NodePath.join(out, "tml/answer", file), "utf8")) as { guid: string }).guid
      const full = await runCliInProcess(
        ["tml", "--type", "ANSWER", "--modified-since", "2000-01-01", "--out", out, "--quiet"],
        {
          env: runEnv
        }
      )
      expect(full.code).toBe(0)
      expect([guidIn("Same.tml"), guidIn("Same (2).tml")]).toEqual([first, second])
      own.touch([second])
      const next = await runCliInProcess(
        ["tml", "--type", "ANSWER", "--modified-since", "last", "--force", "--out", out],
        {
          env: runEnv
        }
      )
      expect(next.code).toBe(0)
      // Each file still holds its own object's document: the changed one is not written over the other's.
      expect([guidIn("Same.tml"), guidIn("Same (2).tml")]).toEqual([first, second])
      // Objects sharing a name are written together, so their files are always numbered as a full run numbers them.
      // The manifest says why each was written: the one that changed, and its namesake with it.
      const written = manifestOf(out).outputs.map((o) => [o.file, o.source.id, o.source.query])
      const from = manifestOf(out).outputs[0]!.source.query!.match(/^modified [<>]=? ([^;\s]+)/)![1]!
      expect(Date.parse(from)).toBeGreaterThan(Date.parse("2000-01-01"))
      expect(written).toEqual([
        ["tml/answer/Same.tml", first, `modified < ${from}; written with a changed object of the same file name`],
        ["tml/answer/Same (2).tml", second, `modified >= ${from}`]
      ])
      expectHashes(out, manifestOf(out))
    } finally {
      await proxy.close()
      await own.close()
    }
  })

  it("associated-objects-sharing-a-name-keep-their-files-when-a-later-run-finds-only-one-of-them", async () => {
    // "Weekly Shipments" is built on a table "Orders", the other answers on the model "Orders".
    const own = await startSandbox({ rows: 50, seed: 3 })
    const table = "0badc0de-0000-4000-8000-0000000000aa"
    const weekly = primary.objects["Weekly Shipments"]!.id
    const proxy = await startRewritingProxy(own.url, {
      response: (text, { url, body }) => {
        if (!url.endsWith("/metadata/tml/export") || body === undefined) return text
        const request = JSON.parse(body) as { metadata: Array<{ identifier: string }>; export_associated?: boolean }
        if (request.export_associated !== true || request.metadata[0]?.identifier !== weekly) return text
        const items: Array<unknown> = (JSON.parse(text) as Array<{ info: { type: string } }>).filter(
          (i) => i.info.type === "answer"
        )
        items.push({
          info: {
            name: "Orders",
            filename: "Orders.table.tml",
            status: { status_code: "OK" },
            type: "table",
            id: table
          },
          edoc: `guid: ${table}\ntable:\n  name: Orders\n`
        })
        return JSON.stringify(items)
      }
    })
    try {
      const out = NodePath.join(root, "tml-associated-same-name")
      const runEnv = { ...sandboxEnv(own), THOUGHTSPOT_HOST: proxy.url }
      const guidIn = (file: string) =>
        (parseYaml(NodeFs.readFileSync(NodePath.join(out, "tml/logical_table", file), "utf8")) as { guid: string }).guid
      const args = ["tml", "--type", "ANSWER", "--associated", "--out", out, "--quiet"]
      expect((await runCliInProcess([...args, "--modified-since", "2000-01-01"], { env: runEnv })).code).toBe(0)
      expect([guidIn("Orders.tml"), guidIn("Orders (2).tml")]).toEqual([fixtures.ordersTable.id, table])
      own.touch([weekly])
      const next = await runCliInProcess([...args, "--modified-since", "last", "--force"], { env: runEnv })
      expect(next.stderr).toBe("")
      expect(next.code).toBe(0)
      // Only "Weekly Shipments" changed, and it finds the table: the model's file still holds the model.
      expect([guidIn("Orders.tml"), guidIn("Orders (2).tml")]).toEqual([fixtures.ordersTable.id, table])
      // The model is written with the table, its namesake, so that the two keep their names.
      expect(manifestOf(out).outputs.map((o) => [o.file, o.source.id])).toEqual([
        ["tml/answer/Weekly Shipments.tml", weekly],
        ["tml/logical_table/Orders (2).tml", table],
        ["tml/logical_table/Orders.tml", fixtures.ordersTable.id]
      ])
      expectHashes(out, manifestOf(out))
    } finally {
      await proxy.close()
      await own.close()
    }
  })

  it("resume-skips-verified-documents-and-rewrites-a-changed-one", async () => {
    const out = NodePath.join(root, "tml-resume")
    expect((await runCliInProcess(["tml", "--type", "ANSWER", "--out", out, "--quiet"], { env })).code).toBe(0)
    // Without --resume or --force, existing files are refused before anything is written.
    const again = await runCliInProcess(["tml", "--type", "ANSWER", "--out", out, "--quiet"], { env })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("already exist")
    const damaged = NodePath.join(out, "tml/answer/Revenue by Month.tml")
    NodeFs.writeFileSync(damaged, "not the document\n")
    const resumed = await runCliInProcess(["tml", "--type", "ANSWER", "--out", out, "--resume", "--quiet"], { env })
    expect(resumed.code).toBe(0)
    const manifest = manifestOf(out)
    const byFile = new Map(manifest.outputs.map((o) => [o.file, o.resume]))
    expect(byFile.get("tml/answer/Revenue by Month.tml")).toBe("written")
    expect(
      [...byFile.entries()].filter(([f]) => f !== "tml/answer/Revenue by Month.tml").every(([, r]) => r === "skipped")
    ).toBe(true)
    expectHashes(out, manifest)
  })
})

describe("spotpipe principals", () => {
  it("users-and-memberships-are-the-sandbox-s-and-agree-with-the-users-and-groups-tml", async () => {
    const out = NodePath.join(root, "principals")
    const run = await runCliInProcess(["principals", "--out", out, "--quiet"], { env })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const manifest = manifestOf(out)
    expectHashes(out, manifest)
    expect(dataFiles(out)).toEqual(
      ["group_members", "group_privileges", "group_roles", "groups", "role_privileges", "roles", "users"].map(
        (t) => `principals/${t}.csv`
      )
    )
    const read = (table: string) =>
      csvRecords(NodeFs.readFileSync(NodePath.join(out, `principals/${table}.csv`), "utf8"))
    // The fixture's users, with their ids and account status.
    expect(read("users").map((u) => [u["id"], u["name"], u["account_status"]])).toEqual(
      primary.users.map((u) => [u.id, u.username, u.accountStatus]).sort((a, b) => (a[1]! < b[1]! ? -1 : 1))
    )
    // Memberships: every user → group edge is the users' TML's `groups`, every group → group edge the groups' TML's
    // `sub_groups` (the batched TML export, another endpoint).
    const tmlDir = NodePath.join(root, "principals-tml")
    expect(
      (await runCliInProcess(["tml", "--type", "USER,USER_GROUP", "--out", tmlDir, "--quiet"], { env })).code
    ).toBe(0)
    const docs = dataFiles(tmlDir).map((f) => parseYaml(NodeFs.readFileSync(NodePath.join(tmlDir, f), "utf8")))
    const fromTml = [
      ...docs.flatMap((d) =>
        d.user === undefined
          ? []
          : (d.user.groups as Array<{ name: string }>).map((g) => `${g.name} <- USER ${d.user.name}`)
      ),
      ...docs.flatMap((d) =>
        d.group === undefined
          ? []
          : (d.group.sub_groups as Array<{ name: string }>).map((s) => `${d.group.name} <- USER_GROUP ${s.name}`)
      )
    ].sort()
    const edges = read("group_members")
      .map((e) => `${e["group_name"]} <- ${e["member_type"]} ${e["member_name"]}`)
      .sort()
    expect(edges).toEqual(fromTml)
    // As the sandbox documents: Sales has Analysts as a sub-group.
    expect(edges).toContain("Sales <- USER_GROUP Analysts")
    // Roles and their privileges, as the roles' TML lists them.
    const rolesDir = NodePath.join(root, "principals-roles")
    expect((await runCliInProcess(["tml", "--type", "ROLE", "--out", rolesDir, "--quiet"], { env })).code).toBe(0)
    const rolePrivileges = dataFiles(rolesDir)
      .map((f) => parseYaml(NodeFs.readFileSync(NodePath.join(rolesDir, f), "utf8")))
      .flatMap((d) => (d.role.privileges as Array<string>).map((p) => `${d.role.name}: ${p}`))
      .sort()
    expect(
      read("role_privileges")
        .map((r) => `${r["role_name"]}: ${r["privilege"]}`)
        .sort()
    ).toEqual(rolePrivileges)
  })

  it("parquet-tables-are-typed-and-load-into-duckdb", async () => {
    const out = NodePath.join(root, "principals-parquet")
    const run = await runCliInProcess(["principals", "--format", "parquet", "--out", out, "--quiet"], { env })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const database = NodePath.join(root, "principals.duckdb")
    const load = await runCliInProcess(["load", out, "--into", `duckdb:${database}`, "--quiet"], {})
    expect(load.stderr).toBe("")
    expect(load.code).toBe(0)
    const rows = await withDuckDb(database, async (query) => {
      const tables = (await query("SELECT table_name FROM information_schema.tables ORDER BY 1")).map((r) => r[0])
      const users = tables.find((t) => String(t).endsWith("users"))
      const types = await query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${users}' ORDER BY ordinal_position`
      )
      const names = await query(`SELECT name FROM "${users}" ORDER BY name`)
      // The typed times against the exact ones: the same instant, cut to the second.
      const times = await query(
        `SELECT name, epoch_ms(created)::VARCHAR, (created_ms // 1000 * 1000)::VARCHAR, epoch_ms(modified)::VARCHAR, (modified_ms // 1000 * 1000)::VARCHAR FROM "${users}" ORDER BY name`
      )
      return { tables, types, names, times }
    })
    // One table per output, besides the load's own record.
    expect(rows.tables.filter((t) => t !== "spotpipe_loads").length).toBe(7)
    expect(rows.types).toContainEqual(["created_ms", "BIGINT"])
    // Users' times are typed as metadata's are, after the exact epoch milliseconds (existing columns keep their places).
    expect(rows.types.slice(-4)).toEqual([
      ["created_ms", "BIGINT"],
      ["modified_ms", "BIGINT"],
      ["created", "TIMESTAMP WITH TIME ZONE"],
      ["modified", "TIMESTAMP WITH TIME ZONE"]
    ])
    expect(rows.times.length).toBe(primary.users.length)
    for (const [name, created, createdMs, modified, modifiedMs] of rows.times) {
      expect([name, created, modified]).toEqual([name, createdMs, modifiedMs])
      expect(created).not.toBeNull()
    }
    expect(rows.names.map((r) => r[0])).toEqual(primary.users.map((u) => u.username).sort())
  })
})

describe("spotpipe permissions", () => {
  it("one-row-per-object-principal-and-permission", async () => {
    const out = NodePath.join(root, "permissions")
    const run = await runCliInProcess(["permissions", "--type", "LIVEBOARD", "--out", out, "--quiet"], { env })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const rows = csvRecords(NodeFs.readFileSync(NodePath.join(out, "permissions.csv"), "utf8"))
    const liveboards = Object.entries(primary.objects).filter(([, o]) => o.type === "LIVEBOARD")
    expect([...new Set(rows.map((r) => r["object_id"]))].sort()).toEqual(liveboards.map(([, o]) => o.id).sort())
    const of = (object: string, principal: string) =>
      rows.filter((r) => r["object_name"] === object && r["principal_name"] === principal).map((r) => r["permission"])
    // The author has MODIFY everywhere; the viewer may read Sales Overview and not the restricted liveboard.
    for (const [name] of liveboards) expect(of(name, fixtures.user.username)).toEqual(["MODIFY"])
    expect(of("Sales Overview", fixtures.limitedUser.username)).toEqual(["READ_ONLY"])
    expect(of("Executive Summary (restricted)", fixtures.limitedUser.username)).toEqual([])
    expectHashes(out, manifestOf(out))
  })
})

describe("--orgs", () => {
  it("all-writes-each-org-s-objects-into-its-own-folder-only-with-one-manifest", async () => {
    const out = NodePath.join(root, "orgs-all")
    const run = await runCliInProcess(
      ["tml", "--orgs", "all", "--type", "LIVEBOARD,ANSWER,LOGICAL_TABLE,USER", "--out", out, "--quiet"],
      {
        env
      }
    )
    inactiveSkipped(run.stderr)
    expect(run.code).toBe(0)
    const manifest = manifestOf(out)
    expectHashes(out, manifest)
    expect(activeOrgs.length).toBe(3)
    const folders = new Set(dataFiles(out).map((f) => f.split("/")[0]))
    expect(folders.size).toBe(3)
    for (const org of activeOrgs) {
      const folder = [...folders].find((f) => f!.startsWith(`org-${org.id}-`))!
      expect(folder).toBeDefined()
      const files = dataFiles(out).filter((f) => f.startsWith(`${folder}/`))
      const guids = files
        .filter((f) => !f.includes("/tml/user/"))
        .map((f) => (parseYaml(NodeFs.readFileSync(NodePath.join(out, f), "utf8")) as { guid: string }).guid)
        .sort()
      const own = Object.values(org.objects)
        .filter((o) => ["ANSWER", "LIVEBOARD", "LOGICAL_TABLE"].includes(o.type))
        .map((o) => o.id)
        .sort()
      // Its own objects, every one, and no object of another Org.
      expect(guids).toEqual(own)
      const users = files.filter((f) => f.includes("/tml/user/")).map((f) => NodePath.basename(f, ".tml"))
      expect(users.sort()).toEqual(org.users.map((u) => u.username).sort())
      // The manifest says each entry's Org.
      for (const file of files) {
        expect(manifest.outputs.find((o) => o.file === file)?.org).toEqual({ id: org.id, name: org.name })
      }
      expect(manifest.exports.find((e) => e.org?.id === org.id)?.status).toBe("succeeded")
    }
  })

  it("every-output-of-a-row-export-names-its-org-in-the-manifest-as-documents-do", async () => {
    const out = NodePath.join(root, "orgs-rows")
    const run = await runCliInProcess(["metadata", "--type", "ANSWER", "--orgs", "all", "--out", out, "--quiet"], {
      env
    })
    expect(run.code, run.stderr).toBe(0)
    const manifest = manifestOf(out)
    expect(manifest.outputs.length).toBe(activeOrgs.length)
    for (const org of activeOrgs) {
      const output = manifest.outputs.find((o) => o.file.startsWith(`org-${org.id}-`))
      expect(output?.org, output?.file).toEqual({ id: org.id, name: org.name })
    }
  })

  it("audit-all-puts-each-event-in-its-own-org-s-folder-once", async () => {
    const out = NodePath.join(root, "orgs-audit")
    const args = ["--since", "2d", "--until", "1d", "--format", "ndjson", "--quiet"]
    const run = await runCliInProcess(["audit", "--orgs", "all", "--out", out, ...args], { env })
    expect(run.code, run.stderr).toBe(0)
    const events = (file: string) =>
      NodeFs.readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { id: string; org_id: number })
    const byOrg = activeOrgs.map((org) => {
      const file = dataFiles(out).find((f) => f.startsWith(`org-${org.id}-`) && f.endsWith(".ndjson"))!
      return { org, events: events(NodePath.join(out, file)) }
    })
    // Each Org's file holds its own events only (the Primary Org's administrator would get every Org's otherwise).
    for (const { org, events } of byOrg) {
      expect(events.length, `Org ${org.id}`).toBeGreaterThan(0)
      expect(new Set(events.map((e) => e.org_id))).toEqual(new Set([org.id]))
    }
    // Together they are the events the Primary Org's administrator reads without --orgs: each exactly once.
    const whole = NodePath.join(root, "orgs-audit-whole")
    expect((await runCliInProcess(["audit", "--out", whole, ...args], { env })).code).toBe(0)
    const all = events(NodePath.join(whole, dataFiles(whole).find((f) => f.endsWith(".ndjson"))!))
    expect(new Set(all.map((e) => e.org_id)).size).toBe(activeOrgs.length)
    expect(byOrg.flatMap(({ events }) => events.map((e) => e.id)).sort()).toEqual(all.map((e) => e.id).sort())
  })

  it("an-org-id-this-user-cannot-reach-is-an-error-naming-those-it-can", async () => {
    const out = NodePath.join(root, "orgs-unknown")
    const run = await runCliInProcess(["principals", "--orgs", "0,999", "--out", out, "--quiet"], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("no Org 999 among those this user can reach")
    expect(run.stderr).toContain(`${fixtures.orgs[1]!.id} (${fixtures.orgs[1]!.name})`)
    expect(NodeFs.existsSync(out)).toBe(false)
  })

  it("usage-errors-before-any-request", async () => {
    const bad = await runCliInProcess(["principals", "--orgs", "all,1", "--out", NodePath.join(root, "never")], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--orgs takes all or Org ids separated by commas")
    const stdout = await runCli(["tml", "--out", "-"], { env })
    expect(stdout.code).toBe(2)
    expect(stdout.stderr).toContain("spotpipe tml writes one file per object: give --out a directory, not -")
    const type = await runCliInProcess(["tml", "--type", "LIVEBOARDS"], { env })
    expect(type.code).toBe(2)
    expect(type.stderr).toContain("unknown tml type LIVEBOARDS")
  })

  it("without-orgs-the-files-are-where-they-always-were", async () => {
    const out = NodePath.join(root, "orgs-none")
    expect((await runCliInProcess(["answer", "Revenue by Month", "--out", out, "--quiet"], { env })).code).toBe(0)
    expect(dataFiles(out)).toEqual(["answer-Revenue by Month.csv"])
    expect(manifestOf(out).outputs[0]!.org).toBeUndefined()
  })
})

describe("job file", () => {
  it("tml-principals-and-permissions-exports-with-the-job-s-orgs", async () => {
    const job = NodePath.join(root, "admin-job.json")
    const emea = fixtures.orgs[1]!
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        orgs: [emea.id],
        exports: [
          { type: "tml", tmlTypes: ["ANSWER"], format: "json" },
          { type: "principals", format: "ndjson" },
          { type: "permissions", permissionTypes: ["ANSWER"] }
        ]
      })
    )
    const out = NodePath.join(root, "admin-job")
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const folder = `org-${emea.id}-sales_emea`
    const answers = Object.entries(emea.objects).filter(([, o]) => o.type === "ANSWER")
    expect(dataFiles(out).filter((f) => f.includes("/tml/"))).toEqual(
      answers.map(([name]) => `${folder}/tml/answer/${name}.tml.json`).sort()
    )
    const users = NodeFs.readFileSync(NodePath.join(out, folder, "principals/users.ndjson"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).name)
    expect(users.sort()).toEqual(emea.users.map((u) => u.username).sort())
    const permissions = NodeFs.readFileSync(NodePath.join(out, folder, "permissions.csv"), "utf8")
    for (const [, answer] of answers) expect(permissions).toContain(answer.id)
    expectHashes(out, manifestOf(out))
  })

  it("a-job-s-load-takes-its-tables-and-leaves-its-tml-documents-as-files", async () => {
    const job = NodePath.join(root, "admin-load-job.json")
    const database = NodePath.join(root, "admin-load.duckdb")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "tml", tmlTypes: ["ROLE"] }, { type: "principals" }],
        load: { into: `duckdb:${database}` }
      })
    )
    const out = NodePath.join(root, "admin-load-job")
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const tables = await withDuckDb(database, async (query) =>
      (await query("SELECT table_name FROM information_schema.tables ORDER BY 1")).map((r) => String(r[0]))
    )
    expect(tables.filter((t) => t !== "spotpipe_loads").length).toBe(7)
    expect(dataFiles(out).filter((f) => f.startsWith("tml/role/")).length).toBe(2)
    // A run of TML documents only has no table to load: said, not a silent empty load.
    const tmlOnly = NodePath.join(root, "tml-only")
    expect((await runCliInProcess(["tml", "--type", "ROLE", "--out", tmlOnly, "--quiet"], { env })).code).toBe(0)
    const load = await runCliInProcess(["load", tmlOnly, "--into", `duckdb:${NodePath.join(root, "none.duckdb")}`], {})
    expect(load.code).toBe(2)
    expect(load.stderr).toContain("lists TML documents only, which are files, not tables")
  })

  it("admin-exports-are-schema-checked-with-the-path-of-each-bad-field", async () => {
    const job = NodePath.join(root, "bad-admin-job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        orgs: "some",
        exports: [
          { type: "tml", tmlTypes: ["LIVEBOARDS"], format: "csv" },
          { type: "permissions", permissionTypes: [] },
          { type: "principals", nullString: "\\N", format: "ndjson" }
        ]
      })
    )
    const run = await runCliInProcess(["run", job, "--out", NodePath.join(root, "never")], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("exports[0].tmlTypes[0]")
    expect(run.stderr).toContain("exports[0].format")
    expect(run.stderr).toContain("exports[1].permissionTypes")
    expect(run.stderr).toContain("orgs")
  })
})
