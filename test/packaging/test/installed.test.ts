/**
 * `@spotpipe/decode` and `@spotpipe/core` as a stranger uses them: `pnpm pack:libs` builds and packs them, then
 * npm (not pnpm) installs the tarballs into scratch projects in a temp folder outside the repository, and plain
 * `.mjs` scripts there import them through Node's own resolution, with nothing of the workspace in reach.
 *
 * Loopback only: npm runs `--offline` with its registry pointed at a closed loopback port, and `effect`,
 * `@effect/platform-node` and everything they need are packed from this workspace's installed copies, so any
 * attempt to reach a registry fails the test instead of going out. Expected values are derived here, not read
 * from the packages: quarter starts from the calendar and the US daylight-saving rules of the time, Order IDs
 * from the sandbox's documented formula.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { basename, dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import * as esbuild from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startRegistry } from "../src/registry.ts"
import { filesUnder, run, runToEnd, strangerEnv } from "../src/scratch.ts"

const repoRoot = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)))
const here = realpathSync(fileURLToPath(new URL("..", import.meta.url)))
const tsc = join(repoRoot, "node_modules", ".bin", "tsc")

/** Node's lookup: `node_modules/<name>` in the directory and each ancestor that is not itself `node_modules`. */
const packageDir = (from: string, name: string): string => {
  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name)
      if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate)
    }
    if (dirname(dir) === dir) throw new Error(`${name} is not installed where ${from} can see it`)
  }
}

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly main?: string
  readonly types?: string
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
  readonly exports?: Record<string, { readonly types: string; readonly default: string } | string>
  readonly files?: ReadonlyArray<string>
  readonly sideEffects?: boolean
  readonly engines?: Record<string, string>
  readonly license?: string
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))

/** Every package npm would install for `roots`: dependencies and required peers, from the workspace's copies. */
const dependencyClosure = (roots: ReadonlyArray<string>, from: string): Map<string, string> => {
  const dirs = new Map<string, string>()
  const versions = new Map<string, string>()
  const visit = (name: string, parent: string): void => {
    const dir = packageDir(parent, name)
    const manifest = readManifest(dir)
    const seen = versions.get(manifest.name)
    if (seen === manifest.version) return
    if (seen !== undefined) {
      throw new Error(`${manifest.name} is needed in two versions (${seen}, ${manifest.version}): extend this test`)
    }
    versions.set(manifest.name, manifest.version)
    dirs.set(manifest.name, dir)
    const required = Object.keys(manifest.peerDependencies ?? {}).filter(
      (peer) => manifest.peerDependenciesMeta?.[peer]?.optional !== true
    )
    for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...required]) visit(dep, dir)
  }
  for (const root of roots) visit(root, from)
  return dirs
}

// The sandbox seed's quarter starts, 1992-01-01 … 1998-10-01, as local midnight in America/Los_Angeles. In those
// years PDT (UTC-7) ran from the first Sunday of April to the last Sunday of October, so the Jan 1 and Apr 1
// midnights are PST (UTC-8) and the Jul 1 and Oct 1 midnights are PDT.
const quarters: Array<{ readonly text: string; readonly epoch: number }> = []
for (let year = 1992; year <= 1998; year++) {
  for (const month of [1, 4, 7, 10]) {
    quarters.push({
      text: `${year}-${String(month).padStart(2, "0")}-01`,
      epoch: Date.UTC(year, month - 1, 1) / 1000 + (month <= 4 ? 8 : 7) * 3600
    })
  }
}

/** Renders the quarter starts in both wire forms and a bad cell, with `@spotpipe/decode` alone. */
const decodeScript = `
import { DateCellError, InvalidTimeZoneError, makeCellRenderer, resolveTimeZone } from "@spotpipe/decode"

let effectResolves = true
try { import.meta.resolve("effect") } catch { effectResolves = false }
const zone = resolveTimeZone("America/Los_Angeles")
if (zone instanceof InvalidTimeZoneError) throw zone
const render = makeCellRenderer("DATE", { timeZone: zone, column: "Order Date" })
const epochs = JSON.parse(process.argv[2])
const bad = render("soon", 17)
const badZone = resolveTimeZone("Mars/Olympus_Mons")
console.log(JSON.stringify({
  effectResolves,
  epoch: epochs.map((s) => render(s)),
  calendar: epochs.map((s) => render({ v: { s } })),
  bad: {
    tag: bad._tag, isDateCellError: bad instanceof DateCellError, isError: bad instanceof Error,
    reason: bad.reason, row: bad.row, column: bad.column, message: bad.message
  },
  badZone: { tag: badZone._tag, isInvalidTimeZoneError: badZone instanceof InvalidTimeZoneError }
}))
`

/** Decodes and encodes cells through the Effect Schema codecs of the subpath. */
const schemaScript = `
import { Exit, Schema } from "effect"
import { DateCellFromWire, NullableDateCellFromWire } from "@spotpipe/decode/schema"

const calendar = Schema.decodeUnknownSync(DateCellFromWire)({ v: { s: 694252800, e: 702115200 } })
const epoch = Schema.decodeUnknownSync(NullableDateCellFromWire)(694252800)
const rejected = Schema.decodeUnknownExit(DateCellFromWire)(1.5)
console.log(JSON.stringify({
  calendar, calendarBack: Schema.encodeSync(DateCellFromWire)(calendar),
  epoch, epochBack: Schema.encodeSync(NullableDateCellFromWire)(epoch),
  nullBack: Schema.encodeSync(NullableDateCellFromWire)(Schema.decodeUnknownSync(NullableDateCellFromWire)(null)),
  rejected: Exit.isFailure(rejected) ? String(rejected.cause) : "accepted"
}))
`

/** Reads two saved answers from the sandbox through `@spotpipe/core`, and renders the dates with decode. */
const coreScript = `
import { Auth, ThoughtSpotClient } from "@spotpipe/core"
import { InvalidTimeZoneError, makeCellRenderer, resolveTimeZone } from "@spotpipe/decode"
import { Effect, Stream } from "effect"

const [host, username, password, detailsId, quarterlyId] = process.argv.slice(2)
const zone = resolveTimeZone("America/Los_Angeles")
if (zone instanceof InvalidTimeZoneError) throw zone
const renderDate = makeCellRenderer("DATE", { timeZone: zone })

const rowsOf = (client, id) =>
  client.answerData({ metadataIdentifier: id, pageSize: 500 }).pipe(
    Stream.runFold(() => ({ columns: [], rows: [], available: -1 }), (acc, page) => ({
      columns: page.columnNames, rows: [...acc.rows, ...page.rows], available: page.availableRowCount
    }))
  )

const program = Effect.gen(function* () {
  const client = yield* ThoughtSpotClient.ThoughtSpotClient
  const details = yield* rowsOf(client, detailsId)
  const id = details.columns.indexOf("Order ID")
  const quarterly = yield* rowsOf(client, quarterlyId)
  const date = quarterly.columns.findIndex((name) => name.includes("Order Date"))
  return {
    available: details.available,
    orderIds: details.rows.map((row) => ({ type: typeof row[id], text: String(row[id]) })),
    quarterColumn: quarterly.columns[date],
    quarters: [...new Set(quarterly.rows.map((row) => renderDate(row[date])).filter((t) => typeof t === "string"))].sort(),
    notText: [...new Set(quarterly.rows.map((row) => renderDate(row[date])).filter((t) => typeof t !== "string"))]
      .map((t) => (t === null ? null : \`\${t._tag}: \${t.message}\`))
  }
}).pipe(Effect.provide(ThoughtSpotClient.layerNode({ host, auth: Auth.password({ username, password }) })))

console.log(JSON.stringify(await Effect.runPromise(program)))
`

/** `@spotpipe/core` without `@effect/platform-node`: the client over effect's fetch client, and `layerNode`. */
const fetchScript = `
import { Auth, ThoughtSpotClient } from "@spotpipe/core"
import { Cause, Effect, Exit, Layer } from "effect"
import { FetchHttpClient } from "effect/http"

const [host, username, password] = process.argv.slice(2)
let platformNode = true
try { import.meta.resolve("@effect/platform-node/NodeHttpClient") } catch { platformNode = false }
const options = { host, auth: Auth.password({ username, password }) }
const system = Effect.gen(function* () {
  const client = yield* ThoughtSpotClient.ThoughtSpotClient
  return yield* client.system
})
const info = await Effect.runPromise(
  system.pipe(Effect.provide(ThoughtSpotClient.layer(options).pipe(Layer.provide(FetchHttpClient.layer))))
)
const node = await Effect.runPromiseExit(system.pipe(Effect.provide(ThoughtSpotClient.layerNode(options))))
console.log(JSON.stringify({
  platformNode,
  timeZone: info.time_zone,
  layerNode: Exit.isFailure(node) ? Cause.pretty(node.cause) : "succeeded",
  layerNodeTyped: Exit.isFailure(node) && node.cause.reasons.every((r) => r._tag === "Fail"),
  layerNodeTag: Exit.isFailure(node) ? Cause.squash(node.cause)._tag : undefined
}))
`

/** Builds `layerNode` (no request is sent) and says how it went, on whichever Node runs it. */
const layerNodeScript = `
import { Auth, ThoughtSpotClient } from "@spotpipe/core"
import { Cause, Effect, Exit, Layer } from "effect"

const layer = ThoughtSpotClient.layerNode({ host: "http://127.0.0.1:9", auth: Auth.bearerToken("token") })
const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(layer)))
const failure = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
console.log(JSON.stringify({
  node: process.versions.node,
  built: Exit.isSuccess(exit),
  tag: failure?._tag,
  typed: Exit.isFailure(exit) && exit.cause.reasons.every((r) => r._tag === "Fail"),
  message: failure?.message
}))
`

/**
 * The machine's own \`node\` on PATH (not the pinned one the tests run on, which pnpm puts first), else the
 * pinned one: on machines whose system Node is older than 22.19 (CI's is 20) the old-Node path runs for real.
 */
const systemNode = (): string => {
  const pinned = realpathSync(process.execPath)
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = join(dir, "node")
    if (dir !== "" && existsSync(candidate) && realpathSync(candidate) !== pinned) return candidate
  }
  return process.execPath
}

/** A TypeScript consumer: compiles only if the shipped `.d.ts` give the real types (not \`any\`). */
const consumerTs = `
import { Auth, ThoughtSpotClient } from "@spotpipe/core"
import { parseJsonExact } from "@spotpipe/core/json"
import { type DateCellError, makeCellRenderer, type Period, resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { DateCellFromWire } from "@spotpipe/decode/schema"
import { Layer, Schema } from "effect"

const zone: TimeZone | { readonly _tag: "InvalidTimeZoneError" } = resolveTimeZone("America/Los_Angeles")
const render = makeCellRenderer("DATE")
export const text: string | null | DateCellError = render(694252800)
// @ts-expect-error a rendered cell may be null or an error, so it is not always a string
export const onlyText: string = render(694252800)
export const period: Period = Schema.decodeUnknownSync(DateCellFromWire)(694252800)
// @ts-expect-error a Period's start is a number
export const start: string = period.start
export const live: Layer.Layer<
  ThoughtSpotClient.ThoughtSpotClient,
  ThoughtSpotClient.UnsupportedNode | ThoughtSpotClient.MissingPlatformNode | ThoughtSpotClient.InvalidHost
> = ThoughtSpotClient.layerNode({
  host: "http://127.0.0.1:9",
  auth: Auth.password({ username: "u", password: "p" })
})
// @ts-expect-error ThoughtSpotClient.layer still needs an HttpClient
export const bare: Layer.Layer<ThoughtSpotClient.ThoughtSpotClient> = ThoughtSpotClient.layer({
  host: "http://127.0.0.1:9",
  auth: Auth.password({ username: "u", password: "p" })
})
export const parsed: unknown = parseJsonExact("[9007199254740993]")
export { zone }
`

const consumerTsconfig = {
  compilerOptions: {
    target: "ES2023",
    lib: ["ES2023", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ["node"]
  },
  files: ["consumer.ts"]
}

/**
 * The fenced JavaScript/TypeScript blocks of a README that import `@spotpipe/decode`, each with what its
 * `console.log` lines promise to print (the text after ` // ` on each such line).
 */
const decodeReadmeBlocks = (readme: string) =>
  [...readme.matchAll(/^```(js|ts)\n([\s\S]*?)^```$/gm)]
    .map((match) => ({ language: match[1]!, code: match[2]! }))
    .filter(({ code }) => /from "@spotpipe\/decode(\/schema)?"/.test(code))
    .map(({ language, code }) => ({
      language,
      code,
      promised: code
        .split("\n")
        .filter((line) => line.includes("console.log("))
        .map((line) => line.slice(line.indexOf(" // ") + 4))
    }))

describe("the packed libraries, installed with npm outside the workspace", () => {
  let scratch = ""
  let env: NodeJS.ProcessEnv = {}
  let decodeOnly = ""
  let withEffect = ""
  let coreWithoutNode = ""
  let tarballs: { readonly decode: string; readonly core: string } = { decode: "", core: "" }
  let effectTarball = ""

  beforeAll(async () => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "spotpipe-packaging-")))
    if (!relative(repoRoot, scratch).startsWith("..")) throw new Error(`${scratch} is inside the repository`)
    env = strangerEnv(scratch)

    await run(process.execPath, [join(repoRoot, "test", "packaging", "src", "packLibs.ts")], repoRoot, process.env)
    tarballs = {
      decode: join(repoRoot, "packs", "spotpipe-decode-0.1.0.tgz"),
      core: join(repoRoot, "packs", "spotpipe-core-0.1.0.tgz")
    }

    // The peers a stranger would get from the registry, packed from the workspace's installed copies instead.
    const deps = join(scratch, "deps")
    mkdirSync(deps)
    const closure = dependencyClosure(["effect", "@effect/platform-node"], here)
    await run(
      "npm",
      ["pack", "--offline", "--ignore-scripts", "--pack-destination", deps, ...closure.values()],
      deps,
      env
    )
    const depTarballs = readdirSync(deps).map((name) => join(deps, name))
    expect(depTarballs).toHaveLength(closure.size)

    const project = async (name: string, install: ReadonlyArray<string>): Promise<string> => {
      const dir = join(scratch, name)
      mkdirSync(dir)
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }))
      await run("npm", ["install", "--offline", "--no-audit", "--no-fund", ...install], dir, env)
      return dir
    }
    const effectTarballs = depTarballs.filter((file) => /^effect-\d/.test(basename(file)))
    expect(effectTarballs).toHaveLength(1)
    effectTarball = effectTarballs[0]!
    // Three separate projects, so that each one holds exactly what its user installed.
    ;[decodeOnly, withEffect, coreWithoutNode] = await Promise.all([
      project("decode-only", [tarballs.decode]),
      project("with-effect", [tarballs.decode, tarballs.core, ...depTarballs]),
      project("core-without-platform-node", [tarballs.core, effectTarball])
    ])
  })

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
  })

  it.each(["decode", "core"] as const)(
    "%s ships built JavaScript, declarations and its manifest, nothing else",
    (lib) => {
      const dir = join(withEffect, "node_modules", "@spotpipe", lib)
      const manifest = readManifest(dir)
      const raw = readFileSync(join(dir, "package.json"), "utf8")
      expect(raw).not.toContain("workspace:")
      // Nothing that serves only the workspace, such as a devDependency on a private package.
      expect(raw).not.toContain("@spotpipe/sandbox")
      for (const devOnly of ["devDependencies", "scripts", "packageManager", "pnpm", "publishConfig"]) {
        expect(Object.keys(JSON.parse(raw))).not.toContain(devOnly)
      }
      expect(manifest.private).toBeUndefined()
      expect(manifest).toMatchObject({
        version: "0.1.0",
        license: "MIT",
        sideEffects: false,
        engines: { node: ">=22.19.0" },
        files: ["dist", "README.md", "LICENSE"]
      })
      const files = filesUnder(dir)
      const stray = files.filter(
        (file) => !["package.json", "README.md", "LICENSE"].includes(file) && !/^dist\/.+(\.js|\.d\.ts)$/.test(file)
      )
      expect(stray).toEqual([])
      expect(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([])
      // effect is a peer (one copy in the user's tree): core's users may bring their own HttpClient instead of
      // @effect/platform-node; decode's main entry needs no effect, only ./schema imports it.
      expect(manifest.dependencies).toBeUndefined()
      expect(manifest.peerDependencies).toEqual(
        lib === "decode" ? { effect: "^4.1.0" } : { effect: "^4.1.0", "@effect/platform-node": "^4.1.0" }
      )
      expect(manifest.peerDependenciesMeta).toEqual(
        lib === "decode" ? { effect: { optional: true } } : { "@effect/platform-node": { optional: true } }
      )
      expect(readFileSync(join(dir, "LICENSE"), "utf8")).toBe(readFileSync(join(repoRoot, "LICENSE"), "utf8"))
      // For tools that predate `exports` (TypeScript's node10 resolution): the main entry only.
      expect({ main: manifest.main, types: manifest.types }).toEqual({
        main: "./dist/index.js",
        types: "./dist/index.d.ts"
      })
      const { "./package.json": own, ...entryPoints } = (manifest.exports ?? {}) as Record<string, unknown>
      // Tools read a package's manifest through its exports (`require.resolve("@spotpipe/core/package.json")`).
      expect(own).toBe("./package.json")
      expect(createRequire(join(withEffect, "index.js")).resolve(`@spotpipe/${lib}/package.json`)).toBe(
        join(dir, "package.json")
      )
      const entries = Object.entries(entryPoints) as Array<
        [string, { readonly types: string; readonly default: string }]
      >
      expect(entries.map(([subpath]) => subpath)).toEqual(lib === "decode" ? [".", "./schema"] : [".", "./json"])
      for (const [, target] of entries) {
        expect(Object.keys(target)).toEqual(["types", "default"])
        expect(files).toContain(target.types.replace(/^\.\//, ""))
        expect(files).toContain(target.default.replace(/^\.\//, ""))
      }
    }
  )

  it("decode works alone (no effect installed): the 28 quarter starts in both forms, a typed error", async () => {
    expect(existsSync(join(decodeOnly, "node_modules", "effect"))).toBe(false)
    writeFileSync(join(decodeOnly, "decode.mjs"), decodeScript)
    const epochs = quarters.map((q) => q.epoch)
    const { stdout } = await run(process.execPath, ["decode.mjs", JSON.stringify(epochs)], decodeOnly, env)
    const out = JSON.parse(stdout)
    expect(out.effectResolves).toBe(false)
    expect(quarters).toHaveLength(28)
    expect(out.epoch).toEqual(quarters.map((q) => q.text))
    expect(out.calendar).toEqual(quarters.map((q) => q.text))
    expect(out.bad).toMatchObject({
      tag: "DateCellError",
      isDateCellError: true,
      isError: true,
      reason: "WrongType",
      row: 17,
      column: "Order Date"
    })
    expect(out.bad.message).toContain("soon")
    expect(out.badZone).toEqual({ tag: "InvalidTimeZoneError", isInvalidTimeZoneError: true })
  })

  it("decode installs into a project on Effect 3 as its README says (--legacy-peer-deps), which keeps its effect, and its main entry runs", async () => {
    // npm checks even an optional peer's range against the project's own effect: the peer effect@^4.1.0 makes it
    // refuse a plain install (ERESOLVE), though the main entry needs no effect. A stand-in for effect 3 (npm
    // resolves on name and version) and the workspace's effect 4, served as a registry serves them.
    const effect3 = join(scratch, "effect3")
    mkdirSync(effect3)
    const effect3Manifest = { name: "effect", version: "3.19.0", type: "module", exports: "./index.js" }
    writeFileSync(join(effect3, "package.json"), JSON.stringify(effect3Manifest))
    writeFileSync(join(effect3, "index.js"), "export const major = 3\n")
    await run("npm", ["pack", "--offline", "--pack-destination", scratch], effect3, env)
    const effect4Manifest = readManifest(join(withEffect, "node_modules", "effect"))
    const registry = await startRegistry([
      { manifest: effect3Manifest, tarball: join(scratch, "effect-3.19.0.tgz") },
      { manifest: { ...effect4Manifest }, tarball: effectTarball }
    ])
    try {
      const dir = join(scratch, "effect3-app")
      mkdirSync(dir)
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "effect3-app", private: true, type: "module" }))
      const registryEnv = { ...env, npm_config_registry: registry.url }
      await run("npm", ["install", "--no-audit", "--no-fund", "effect@3"], dir, registryEnv)
      const plain = await runToEnd("npm", ["install", "--no-audit", "--no-fund", tarballs.decode], dir, registryEnv)
      expect(plain.code).not.toBe(0)
      expect(plain.stderr).toContain("ERESOLVE")
      const installed = await runToEnd(
        "npm",
        ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", tarballs.decode],
        dir,
        registryEnv
      )
      expect(installed.code, installed.stderr).toBe(0)
      expect(readManifest(join(dir, "node_modules", "effect")).version).toBe("3.19.0")
      expect(readManifest(dir).dependencies).toMatchObject({ effect: "^3.19.0" })
      writeFileSync(join(dir, "decode.mjs"), decodeScript)
      const { stdout } = await run(process.execPath, ["decode.mjs", JSON.stringify([quarters[0]!.epoch])], dir, env)
      expect(JSON.parse(stdout).epoch).toEqual([quarters[0]!.text])
    } finally {
      await registry.close()
    }
  })

  it("decode/schema with effect installed round-trips cells in both wire forms", async () => {
    writeFileSync(join(withEffect, "schema.mjs"), schemaScript)
    const { stdout } = await run(process.execPath, ["schema.mjs"], withEffect, env)
    const out = JSON.parse(stdout)
    expect(out.calendar).toEqual({ start: 694252800, end: 702115200, form: "calendar" })
    expect(out.calendarBack).toEqual({ v: { s: 694252800, e: 702115200 } })
    expect(out.epoch).toEqual({ start: 694252800, form: "epoch" })
    expect(out.epochBack).toBe(694252800)
    expect(out.nullBack).toBeNull()
    expect(out.rejected).not.toBe("accepted")
  })

  describe("core against the sandbox", () => {
    let sandbox: RunningSandbox | undefined
    const rows = 2_000
    afterAll(async () => {
      await sandbox?.close()
    })

    it("reads saved answers with Order IDs beyond 2^53 exact, and decode renders their quarters in Los Angeles time", async () => {
      sandbox = await startSandbox({ rows, timezone: "America/Los_Angeles" })
      writeFileSync(join(withEffect, "core.mjs"), coreScript)
      const { stdout } = await run(
        process.execPath,
        [
          "core.mjs",
          sandbox.url,
          fixtures.user.username,
          fixtures.user.password,
          fixtures.answers["Order Details"].id,
          fixtures.answers["Quarterly Returns by Region"].id
        ],
        withEffect,
        env
      )
      const out = JSON.parse(stdout)
      expect(out.available).toBe(rows)
      // The sandbox's Order IDs: 9007199254740000 + 37·row (row 0-based), above 2^53 from row 27 on; about 1.6 %
      // of its cells are null, Order IDs included.
      const ids: ReadonlyArray<{ readonly type: string; readonly text: string }> = out.orderIds
      expect(ids).toHaveLength(rows)
      const wrong = ids.flatMap((id, i) => {
        const expected = 9_007_199_254_740_000n + 37n * BigInt(i)
        if (id.text === "null") return id.type === "object" ? [] : [`row ${i}: ${id.type} null`]
        const beyond = expected > BigInt(Number.MAX_SAFE_INTEGER)
        return id.text === String(expected) && id.type === (beyond ? "bigint" : "number")
          ? []
          : [`row ${i}: ${id.type} ${id.text}, expected ${expected}`]
      })
      expect(wrong).toEqual([])
      const nulls = ids.filter((id) => id.text === "null").length
      expect(nulls).toBeLessThan(rows / 20)
      expect(ids.filter((id) => id.type === "bigint").length).toBeGreaterThan(rows - 27 - rows / 20)
      expect(out.quarterColumn).toContain("Order Date")
      // Its Order Dates lie in 2020–2025 (some are null): every quarter start of those years, nothing else.
      const sandboxQuarters: Array<string> = []
      for (let year = 2020; year <= 2025; year++) {
        for (const month of ["01", "04", "07", "10"]) sandboxQuarters.push(`${year}-${month}-01`)
      }
      expect(out.quarters).toEqual(sandboxQuarters)
      expect(out.notText.filter((t: string | null) => t !== null)).toEqual([])
    })
  })

  it("core without @effect/platform-node loads, runs over a caller's HttpClient, and layerNode says what is missing", async () => {
    expect(existsSync(join(coreWithoutNode, "node_modules", "@effect", "platform-node"))).toBe(false)
    const sandbox = await startSandbox({ rows: 10 })
    try {
      writeFileSync(join(coreWithoutNode, "fetch.mjs"), fetchScript)
      const args = ["fetch.mjs", sandbox.url, fixtures.user.username, fixtures.user.password]
      const { stdout } = await run(process.execPath, args, coreWithoutNode, env)
      const out = JSON.parse(stdout)
      expect(out.platformNode).toBe(false)
      expect(out.timeZone).toBe("America/Los_Angeles")
      // A typed failure the caller can catch, not a defect, naming the package and the range to install.
      expect(out).toMatchObject({ layerNodeTyped: true, layerNodeTag: "MissingPlatformNode" })
      expect(out.layerNode).toContain(
        "ThoughtSpotClient.layerNode needs the package @effect/platform-node@^4.1.0, which could not be loaded (Cannot find package '@effect/platform-node'"
      )
      expect(out.layerNode).toContain("install it next to effect (npm install @effect/platform-node@^4.1.0)")
    } finally {
      await sandbox.close()
    }
  })

  it("layerNode on a Node older than 22.19 fails with one typed line naming the version, before undici loads", async () => {
    writeFileSync(join(withEffect, "layerNode.mjs"), layerNodeScript)
    // \`run\` rejects on a non-zero exit: an undici load failure's unhandled rejection would end it with 1.
    const { stdout, stderr } = await run(systemNode(), ["layerNode.mjs"], withEffect, env)
    const out = JSON.parse(stdout)
    const [major = 0, minor = 0] = String(out.node).split(".").map(Number)
    if (major > 22 || (major === 22 && minor >= 19)) {
      expect(out).toMatchObject({ built: true })
    } else {
      expect(out).toMatchObject({ built: false, tag: "UnsupportedNode", typed: true })
      expect(out.message).toBe(
        `ThoughtSpotClient.layerNode needs Node.js 22.19.0 or later (its HTTP client, undici, does not load on older versions); this is Node.js ${out.node}: upgrade Node.js`
      )
      expect(stderr).not.toContain("undici")
    }
  })

  it("a TypeScript consumer type-checks against the shipped declarations", async () => {
    writeFileSync(join(withEffect, "consumer.ts"), consumerTs)
    writeFileSync(join(withEffect, "tsconfig.json"), JSON.stringify(consumerTsconfig))
    // tsc prints its diagnostics on stdout; `run` puts them into the failure message.
    await run(tsc, ["-p", "tsconfig.json"], withEffect, env)
  })

  it("an option given as undefined takes its default: in the shipped types under exactOptionalPropertyTypes, as in the code", async () => {
    // A program passes its own optional settings on as they are; both packages read undefined as "not given", but
    // their types refused it under exactOptionalPropertyTypes (the core README even says a retry field given as
    // undefined keeps its default).
    const program = `
import { Auth, RetryPolicy, ThoughtSpotClient } from "@spotpipe/core"
import { decodeCell, decodeColumn, decodeCompactRows, makeCellRenderer, makeCellWriter, makeEndRenderer, type TimeZone } from "@spotpipe/decode"
import { Effect, Layer, Stream } from "effect"
import { FetchHttpClient } from "effect/http"

interface Settings {
  readonly zone?: TimeZone | undefined
  readonly column?: string | undefined
  readonly row?: number | undefined
  readonly orgId?: number | undefined
  readonly pageSize?: number | undefined
  readonly timeoutMillis?: number | undefined
  readonly burst?: number | undefined
  readonly flag?: boolean | undefined
}
const s: Settings = {}
const [host = "", username = "", password = "", answer = ""] = process.argv.slice(2)
const written = new Uint8Array(32)
const client = ThoughtSpotClient.layer({
  host,
  auth: Auth.password({ username, password, orgId: s.orgId, validitySeconds: s.row }),
  retry: { attemptTimeoutMillis: s.timeoutMillis, maxAttempts: undefined },
  rateLimit: { requestsPerSecond: 100, burst: s.burst },
  concurrency: s.pageSize,
  prefetch: s.pageSize,
  pageSize: s.pageSize,
  metadataPageSize: s.pageSize,
  userAgent: undefined,
  refreshSkewMillis: s.timeoutMillis,
  releaseOnClose: s.flag
}).pipe(Layer.provide(FetchHttpClient.layer))
const read = Effect.gen(function* () {
  const c = yield* ThoughtSpotClient.ThoughtSpotClient
  const pages = yield* c
    .answerData({ metadataIdentifier: answer, pageSize: s.pageSize, startOffset: s.row, runtimeFilter: undefined, runtimeSort: undefined, runtimeParamOverride: undefined, repeatedPage: undefined })
    .pipe(Stream.runCollect)
  const listed = yield* c.searchMetadata({ metadata: [{ identifier: answer }] }, { pageSize: s.pageSize }).pipe(Stream.runCount)
  const users = yield* c.searchUsers(undefined, { pageSize: s.pageSize }).pipe(Stream.runCount)
  return { rows: pages.reduce((n, page) => n + page.rows.length, 0), available: pages[0]?.availableRowCount, pageSize: pages[0]?.rows.length, listed, users }
})
const decoded = decodeCell("soon", { row: s.row, column: s.column })
const column = decodeColumn([694224000], "DATE", { mode: undefined, rowOffset: s.row, column: s.column })
const rows = decodeCompactRows([[694224000]], [{ name: "d", type: "DATE" }], { mode: undefined, rowOffset: s.row })
console.log(JSON.stringify({
  render: makeCellRenderer("DATE_TIME", { timeZone: s.zone, offset: undefined, column: s.column })(1625759921),
  end: makeEndRenderer("DATE", { timeZone: s.zone })({ v: { s: 694224000, e: 694310400 } }),
  written: makeCellWriter("DATE", { timeZone: s.zone, column: s.column })(694224000, written, 0),
  decoded: decoded instanceof Error ? decoded.message : decoded,
  column: column._tag,
  rows: rows._tag,
  policy: RetryPolicy.make({ attemptTimeoutMillis: s.timeoutMillis, deadlineMillis: undefined }),
  defaults: RetryPolicy.defaults,
  read: await Effect.runPromise(read.pipe(Effect.provide(client)))
}))
`
    writeFileSync(join(withEffect, "undefinedOptions.ts"), program)
    writeFileSync(
      join(withEffect, "tsconfig.undefinedOptions.json"),
      JSON.stringify({
        compilerOptions: {
          ...consumerTsconfig.compilerOptions,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true
        },
        files: ["undefinedOptions.ts"]
      })
    )
    await run(tsc, ["-p", "tsconfig.undefinedOptions.json"], withEffect, env)
    const sandbox = await startSandbox({ rows: 30_000 })
    try {
      const answer = fixtures.answers["Order Details"]!.id
      const args = [sandbox.url, fixtures.user.username, fixtures.user.password, answer]
      const { stdout, stderr } = await run(process.execPath, ["undefinedOptions.ts", ...args], withEffect, env)
      expect(stderr).toBe("")
      const out = JSON.parse(stdout)
      expect(out).toMatchObject({
        render: "2021-07-08T15:58:41Z",
        end: "1992-01-02",
        written: 10,
        decoded: 'cell "soon" is not a ThoughtSpot date (epoch seconds or {"v":{"s":…}}): it is a string',
        column: "Decoded",
        rows: "Decoded"
      })
      expect(out.policy).toEqual(out.defaults)
      // Every row, in pages of the default size (10 000), from row 0.
      expect(out.read).toMatchObject({ rows: 30_000, available: 30_000, pageSize: 10_000, listed: 1 })
      expect(out.read.users).toBeGreaterThan(0)
    } finally {
      await sandbox.close()
    }
  })

  it("the core README's tests of a user's code pass in the installed package, and type-check strictly", async () => {
    const readme = readFileSync(join(withEffect, "node_modules", "@spotpipe", "core", "README.md"), "utf8")
    const tests = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
      .map((match) => match[1]!)
      .filter((code) => code.includes('from "node:test"'))
    expect(tests).toHaveLength(1)
    writeFileSync(join(withEffect, "userCode.test.ts"), tests[0]!)
    const { stdout } = await run(process.execPath, ["--test", "userCode.test.ts"], withEffect, env)
    expect(stdout).toMatch(/^ℹ pass 2$/m)
    expect(stdout).toMatch(/^ℹ fail 0$/m)
    writeFileSync(
      join(withEffect, "tsconfig.userCode.json"),
      JSON.stringify({
        compilerOptions: {
          ...consumerTsconfig.compilerOptions,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true
        },
        files: ["userCode.test.ts"]
      })
    )
    await run(tsc, ["-p", "tsconfig.userCode.json"], withEffect, env)
  })

  it("the decode README's examples, run in the installed package, print what they promise and type-check strictly", async () => {
    // The README the user reads is the one in the tarball.
    const blocks = decodeReadmeBlocks(
      readFileSync(join(decodeOnly, "node_modules", "@spotpipe", "decode", "README.md"), "utf8")
    )
    expect(blocks.map((block) => block.language)).toEqual(["js", "ts", "ts"])
    for (const [i, { language, code, promised }] of blocks.entries()) {
      expect(promised.length).toBeGreaterThan(0)
      // The plain JavaScript example needs no effect: it runs where only decode is installed.
      const dir = language === "js" ? decodeOnly : withEffect
      const file = `readme${i}.${language === "js" ? "mjs" : "ts"}`
      writeFileSync(join(dir, file), code)
      const { stdout, stderr } = await run(process.execPath, [file], dir, env)
      expect(stderr).toBe("")
      expect(stdout.split("\n").slice(0, -1)).toEqual(promised)
    }
    // "This example, saved as a .ts file, type-checks under strict, exactOptionalPropertyTypes and
    // noUncheckedIndexedAccess": against the shipped declarations, every block.
    for (const [i, { code }] of blocks.entries()) writeFileSync(join(withEffect, `readmeCheck${i}.ts`), code)
    writeFileSync(
      join(withEffect, "tsconfig.readme.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
          types: []
        },
        files: blocks.map((_, i) => `readmeCheck${i}.ts`)
      })
    )
    await run(tsc, ["-p", "tsconfig.readme.json"], withEffect, env)
  })

  it("decode bundled for the browser holds nothing of Node", async () => {
    const result = await esbuild.build({
      stdin: {
        contents: `import * as decode from "@spotpipe/decode"\nglobalThis.spotpipeDecode = decode\n`,
        resolveDir: decodeOnly
      },
      absWorkingDir: decodeOnly,
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent"
    })
    const inputs = Object.keys(result.metafile.inputs).filter((input) => input !== "<stdin>")
    expect(inputs.length).toBeGreaterThan(0)
    expect(inputs.filter((input) => !input.startsWith("node_modules/@spotpipe/decode/dist/"))).toEqual([])
    const code = result.outputFiles[0]!.text
    expect(code).not.toMatch(/["']node:/)
    expect(code).not.toMatch(/\brequire\s*\(|\bimport\s*\(|^\s*import\s|\bfrom\s*["']/m)
    // Node's globals, on every path, run or not (a run in a bare context sees only the paths it takes): minified,
    // the bundle has no comments, so a use of one is a use in code.
    const minified = await esbuild.build({
      entryPoints: [join(decodeOnly, "node_modules", "@spotpipe", "decode", "dist", "index.js")],
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      logLevel: "silent"
    })
    const nodeGlobals =
      /\b(?:process|Buffer|global|require|module|exports)\s*[.[(]|\b(?:__dirname|__filename|setImmediate|clearImmediate)\b/g
    expect([...minified.outputFiles[0]!.text.matchAll(nodeGlobals)].map((match) => match[0])).toEqual([])
  })
})
