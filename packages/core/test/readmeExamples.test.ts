/**
 * The README's code examples, as written: each type-checks against the package's types (strict, as a consumer's
 * project) and runs as a program of its own (`node`, like a reader who copies it) against the sandbox, with the
 * `THOUGHTSPOT_*` variables it reads. Fragments (the body of an `Effect.gen`) are run inside one; the README's
 * placeholders (`"…"`, `modelId`, `liveboardId`, `id`) become the sandbox's objects.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"

const coreDir = dirname(dirname(fileURLToPath(import.meta.url)))
const readme = readFileSync(join(coreDir, "README.md"), "utf8")

/** Every ```ts block of the README (indented ones too), without its indentation. */
const blocks = [...readme.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map(([, indent = "", body = ""]) =>
  body
    .split("\n")
    .map((line) => line.slice(indent.length))
    .join("\n")
)

const modelId = fixtures.ordersTable.id
const liveboardId = fixtures.liveboards["Sales Overview"]!.id

/** Runs a program given by `Effect.gen` text over `layerConfig` (the variables the examples read). */
const harness = `import { layerUndici } from "@effect/platform-node/NodeHttpClient"
import { runMain } from "@effect/platform-node/NodeRuntime"
import { ThoughtSpotClient } from "@spotpipe/core"
import { Effect, Layer } from "effect"

export const runExample = <A, E>(program: Effect.Effect<A, E, ThoughtSpotClient.ThoughtSpotClient>) =>
  runMain(program.pipe(Effect.provide(ThoughtSpotClient.layerConfig().pipe(Layer.provide(layerUndici)))))
`

/** A fragment run as the body of an `Effect.gen` (with `client` bound unless it binds it itself). */
const inGen = (imports: string, prelude: string, body: string, bindsClient = false) => `${imports}
import { runExample } from "./harness.ts"

${prelude}
runExample(
  Effect.gen(function* () {
${bindsClient ? "" : "    const client = yield* ThoughtSpotClient.ThoughtSpotClient\n"}${body
  .trimEnd()
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
  })
)
`

const replaced = (text: string, from: string, to: string): string => {
  if (!text.includes(from)) throw new Error(`the README example no longer has ${JSON.stringify(from)}`)
  return text.replace(from, to)
}

/** The examples as files: name → text. */
const examples = (): Record<string, string> => {
  const [main, config, columns, repeated, reader, tml, orgs, errors, missing, testing] = blocks as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string
  ]
  const mainWithModel = replaced(main, `const modelId = "…"`, `const modelId = ${JSON.stringify(modelId)}`)
  // The layerConfig example runs the first example's program: that program, exported, without its runMain.
  const program = `${mainWithModel.slice(0, mainWithModel.indexOf("\nrunMain(")).replace("const program", "export const program")}\n`
  return {
    "harness.ts": harness,
    "main.ts": mainWithModel,
    "program.ts": program,
    "config.ts": `import { program } from "./program.ts"\n${config}`,
    "reader.ts": `const modelId = ${JSON.stringify(modelId)}\n${reader}\nimport { runExample } from "./harness.ts"\nrunExample(program)\n`,
    "tml.ts": inGen(
      `import { ThoughtSpotClient } from "@spotpipe/core"\nimport { Console, Effect } from "effect"`,
      `const liveboardId = ${JSON.stringify(liveboardId)}`,
      tml
    ),
    "orgs.ts": inGen(
      `import { ThoughtSpotClient } from "@spotpipe/core"\nimport { Console, Effect, Stream } from "effect"`,
      "",
      orgs,
      true
    ),
    "errors.ts": `${errors}\nimport { runExample } from "./harness.ts"\nrunExample(program)\n`,
    // A saved answer, then a GUID no object has.
    "missing.ts": `${missing}
import { runExample } from "./harness.ts"
runExample(
  Effect.gen(function* () {
    yield* Console.log("rows:", yield* rowCount(${JSON.stringify(fixtures.answers["Revenue by Month"]!.id)}))
    yield* Console.log("rows:", yield* rowCount("0badc0de-0000-4000-8000-000000000000"))
  })
)
`,
    "columns.ts": inGen(
      `import { ThoughtSpotApi, ThoughtSpotClient } from "@spotpipe/core"\nimport { Console, Effect, Schema, Stream } from "effect"`,
      `const answerId = process.argv[2] ?? ""`,
      columns
    ),
    // Tests of a user's code on a fake HttpClient, with node:test (a file run by node runs its tests).
    "testing.ts": testing,
    "repeated.ts": inGen(
      `import { ThoughtSpotClient } from "@spotpipe/core"\nimport { Console, Effect, Stream } from "effect"`,
      `const id = ${JSON.stringify(modelId)}`,
      `const pages = yield* ${repeated.trim()}.pipe(Stream.runCount)\nyield* Console.log("pages:", pages)`
    )
  }
}

const require = createRequire(import.meta.url)
/** The packages an installed consumer has, linked into its node_modules by their real paths. */
const linked: Record<string, string> = {
  "@spotpipe/core": coreDir,
  effect: realpathSync(join(coreDir, "node_modules/effect")),
  "@effect/platform-node": realpathSync(join(coreDir, "node_modules/@effect/platform-node")),
  "@types/node": dirname(require.resolve("@types/node/package.json", { paths: [join(coreDir, "../..")] }))
}
const tsc = join(coreDir, "../../node_modules/.bin/tsc")

interface Ran {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** The column names of an answer's first data page, asked of the sandbox without the client. */
const pageColumnNames = async (sandboxUrl: string, answer: string): Promise<ReadonlyArray<string>> => {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${sandboxUrl}/api/rest/2.0/${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "readme-test",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
      },
      body: JSON.stringify(body)
    })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }
  const { token } = (await post("auth/token/full", {
    username: fixtures.user.username,
    password: fixtures.user.password
  })) as { token: string }
  const data = await post("metadata/answer/data", { metadata_identifier: answer, record_size: 1 }, token)
  return (data["contents"] as ReadonlyArray<{ readonly column_names: ReadonlyArray<string> }>)[0]!.column_names
}

describe("README examples", () => {
  let sandbox: RunningSandbox
  let dir: string
  const env = (overrides: Record<string, string> = {}) => ({
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "",
    TMPDIR: tmpdir(),
    THOUGHTSPOT_HOST: sandbox.url,
    THOUGHTSPOT_USERNAME: fixtures.user.username,
    THOUGHTSPOT_PASSWORD: fixtures.user.password,
    ...overrides
  })
  const runFile = (
    file: string,
    overrides?: Record<string, string>,
    onOutput?: (text: string, child: ChildProcess) => void,
    args: ReadonlyArray<string> = []
  ) =>
    new Promise<Ran>((resolve, reject) => {
      const child = spawn(process.execPath, [join(dir, file), ...args], { cwd: dir, env: env(overrides) })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString()
        onOutput?.(stdout, child)
      })
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      child.on("error", reject)
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    })

  beforeAll(async () => {
    sandbox = await startSandbox({
      rows: 25_000,
      // Slow enough data pages that a program can be interrupted mid-read.
      faults: { routes: { searchdata: { latencyMs: 150 } } }
    })
    dir = mkdtempSync(join(tmpdir(), "core-readme-"))
    for (const [name, target] of Object.entries(linked)) {
      mkdirSync(dirname(join(dir, "node_modules", name)), { recursive: true })
      symlinkSync(target, join(dir, "node_modules", name), "dir")
    }
    for (const [name, text] of Object.entries(examples())) writeFileSync(join(dir, name), text)
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
    const base = JSON.parse(readFileSync(join(coreDir, "../../tsconfig.base.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>
    }
    const { plugins: _plugins, ...compilerOptions } = base.compilerOptions
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { ...compilerOptions, types: ["node"] }, include: ["*.ts"] })
    )
  })
  afterAll(async () => {
    await sandbox?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it("the README has the examples this test runs", () => {
    expect(blocks.length).toBe(10)
  })

  it("every example type-checks as a strict consumer's code", async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) =>
      execFile(tsc, ["-p", join(dir, "tsconfig.json")], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error.code as number | null), text: stdout + stderr })
      )
    )
    expect(out.text).toBe("")
    expect(out.code).toBe(0)
  })

  it("the first example reads the search page by page and revokes its token", async () => {
    const before = sandbox.stats()
    const ran = await runFile("main.ts")
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain("data time zone: America/Los_Angeles")
    expect(ran.stdout).toMatch(/^page 1\/1: \d+ rows$/m)
    const after = sandbox.stats()
    expect(after.tokensIssued - before.tokensIssued).toBe(1)
    expect(after.tokensRevoked - before.tokensRevoked).toBe(1)
  })

  it("with a wrong password it exits 1 with the error's message, never the password", async () => {
    const ran = await runFile("main.ts", { THOUGHTSPOT_PASSWORD: "not-the-Password-9" })
    expect(ran.code).toBe(1)
    // runMain logs the failure through Effect's logger (on stdout).
    const said = ran.stdout + ran.stderr
    expect(said).toContain("ThoughtSpotError: auth/token/full: Authentication: ThoughtSpot rejected the credentials;")
    expect(said).not.toContain("not-the-Password-9")
  })

  it("with THOUGHTSPOT_HOST unset it exits 1 saying the host is not set, before any request", async () => {
    const before = sandbox.stats().requests
    const ran = await runFile("main.ts", { THOUGHTSPOT_HOST: "" })
    expect(ran.code).toBe(1)
    expect(ran.stdout + ran.stderr).toContain("InvalidHost: host is not set (or is empty)")
    expect(sandbox.stats().requests).toBe(before)
  })

  it("with THOUGHTSPOT_PASSWORD exported empty it exits 1 naming the password, before any request", async () => {
    const before = sandbox.stats().requests
    const ran = await runFile("main.ts", { THOUGHTSPOT_PASSWORD: "" })
    expect(ran.code).toBe(1)
    expect(ran.stdout + ran.stderr).toContain(
      "TypeError: auth.password (Auth.password) is empty: pass the user's password"
    )
    expect(sandbox.stats().requests).toBe(before)
  })

  it("on Ctrl-C it stops with 130 and still revokes its token", async () => {
    const before = sandbox.stats()
    let interrupted = false
    const ran = await runFile("main.ts", undefined, (stdout, child) => {
      // Signed in and reading: the data request is under way.
      if (!interrupted && stdout.includes("data time zone:")) {
        interrupted = true
        child.kill("SIGINT")
      }
    })
    expect(interrupted).toBe(true)
    expect(ran.stdout).not.toContain("page 1/")
    expect(ran.code).toBe(130)
    const after = sandbox.stats()
    expect(after.tokensIssued - before.tokensIssued).toBe(1)
    expect(after.tokensRevoked - before.tokensRevoked).toBe(1)
  })

  it("layerConfig reads the connection from the environment (page size 50 000 as given)", async () => {
    const ran = await runFile("config.ts")
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^page 1\/1: \d+ rows$/m)
    const missing = await runFile("config.ts", { THOUGHTSPOT_HOST: "" })
    expect(missing.code).toBe(1)
    expect(missing.stdout + missing.stderr).toContain("THOUGHTSPOT_HOST is not set (or is empty): set it")
  })

  it("a page reader is lent each page's bytes; parseRows gives the rows", async () => {
    const ran = await runFile("reader.ts")
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^0 \d+ \d+ bytes$/m)
  })

  it("catchReason handles a refused sign-in by its reason; catchTag any other failure", async () => {
    const refused = await runFile("errors.ts", { THOUGHTSPOT_PASSWORD: "not-the-Password-9" })
    expect(refused.code).toBe(0)
    expect(refused.stderr).toContain(
      `${fixtures.user.username} was refused at ${new URL(sandbox.url).host}: ThoughtSpot rejected the credentials`
    )
    // A port nothing listens on (taken, then given back).
    const probe = createServer()
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port))
    )
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const unreachable = await runFile("errors.ts", { THOUGHTSPOT_HOST: `http://127.0.0.1:${port}` })
    expect(unreachable.code).toBe(0)
    expect(unreachable.stderr).toContain("auth/token/full failed (Transport, retryable: true)")
    const fine = await runFile("errors.ts")
    expect(fine.stderr).toBe("")
    expect(fine.stdout).toContain("data time zone: America/Los_Angeles")
  })

  it("an answer's column types come from its metadata_detail, by the names of its data pages' columns", async () => {
    const answer = fixtures.answers["Revenue by Month"]!.id
    const ran = await runFile("columns.ts", undefined, undefined, [answer])
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    const block = blocks[2]!
    const promised = block.slice(block.lastIndexOf(" // ") + 4).trim()
    expect(ran.stdout).toBe(`${promised}\n`)
    // The names are those of the data pages.
    const names = (JSON.parse(promised) as ReadonlyArray<{ readonly name: string }>).map((column) => column.name)
    expect(names).toEqual(await pageColumnNames(sandbox.url, answer))
    const unknown = await runFile("columns.ts", undefined, undefined, ["0badc0de-0000-4000-8000-000000000000"])
    expect(unknown.code).toBe(0)
    expect(unknown.stderr).toBe("no answer 0badc0de-0000-4000-8000-000000000000\n")
  })

  it("an answer that does not exist is told apart by its BadRequest's code 10002, as the README says", async () => {
    const ran = await runFile("missing.ts")
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^rows: [1-9]\d*\nrows: 0\n$/)
    expect(ran.stderr).toMatch(/^skipped: .*0badc0de-0000-4000-8000-000000000000.*\n$/)
  })

  it("a user's tests of their own code pass on a fake HttpClient, the retries under TestClock", async () => {
    const ran = await runFile("testing.ts")
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^ℹ pass 2$/m)
    expect(ran.stdout).toMatch(/^ℹ fail 0$/m)
    // Both 503s were retried, in virtual time.
    expect(
      ran.stdout.match(/retrying answerData in [\d.]+ s \(attempt [23] of 6\): ThoughtSpot server error /g)
    ).toHaveLength(2)
  })

  it("TML export, each Org's users and repeatedPage: 'fail' run as shown", async () => {
    const tml = await runFile("tml.ts")
    expect(tml.stderr).toBe("")
    expect(tml.code).toBe(0)
    expect(tml.stdout).toMatch(/\.liveboard\.tml \d+/)
    const orgs = await runFile("orgs.ts")
    expect(orgs.stderr).toBe("")
    expect(orgs.code).toBe(0)
    expect(orgs.stdout).toContain(fixtures.user.username)
    const repeated = await runFile("repeated.ts")
    expect(repeated.stderr).toBe("")
    expect(repeated.code).toBe(0)
    expect(repeated.stdout).toMatch(/^pages: \d+$/m)
  })
})
