/**
 * What the CLI shows, end to end (the real process against loopback sandboxes): server names with terminal
 * escape sequences reach the terminal inert; `--log-level`, `--quiet`, `--verbose` and `--log-format json` do
 * what they say; the summary counts each result once and says where the files went; an unknown object, flag
 * or command names the closest ones; every `--help` ends with examples; `spotpipe sandbox` prints what it
 * accepts; on a terminal, a log line never ends up glued to the live progress line, and `TERM=dumb` gets none.
 * Runs are in-process (runCliInProcess, runInProcess), data on stdout (`--out -`) included, except where the
 * process is the point: `spotpipe sandbox` and the sandbox bin stopped with Ctrl-C, progress on a terminal, and the
 * demo as installed, without DuckDB (in a test worker, where DuckDB loads, it would also load its run into DuckDB).
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect } from "effect"
import type { Command } from "effect/cli"
import { spotpipe } from "../src/cli/Cli.ts"
import { shellWord } from "../src/Interruption.ts"
import { runCliInProcess, runInProcess } from "./support/inProcess.ts"
import { type RenamingProxy, startRenamingProxy } from "./support/RenamingProxy.ts"
import { cliEnv, mainPath, runCli, runNode } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 60_000 }
const tempDir = tempFolders("spotpipe-display-")

// OSC 52 writes the user's clipboard; CSI 2J clears the screen; U+009B is the one-byte CSI; U+202E reverses text.
const clipboard = "\u001b]52;c;cm0gLXJmIH4=\u0007"
const evilAnswer = `Revenue${clipboard} by Month\u001b[2J`
const evilSampled = "Sampled\u202e Orders\u009b31m"
const evilViz = "Revenue by Region\u001b[1A\u001b[2K"
// Characters that act on a terminal: none of them may reach stdout or stderr raw.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

let sandbox: RunningSandbox
let proxy: RenamingProxy

const env = (url: string) => sandboxEnv({ url })

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })
  proxy = await startRenamingProxy(sandbox.url, [
    ["Revenue by Month", evilAnswer],
    ["Sampled Orders", evilSampled],
    ["Revenue by Region", evilViz]
  ])
})

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const expectInert = (text: string) => {
  const found = raw.exec(text)
  expect(found, `raw U+${found?.[0].charCodeAt(0).toString(16).padStart(4, "0")} in ${JSON.stringify(text)}`).toBe(null)
}

describe("server text on the terminal", () => {
  it("summary-and-debug-logs-show-escape-sequences-in-names-as-visible-text", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(["answer", evilAnswer, "--out", dir, "--verbose"], { env: env(proxy.url) })
    expect(run.code, run.stderr).toBe(0)
    expectInert(run.stdout)
    expectInert(run.stderr)
    expect(run.stdout).toContain("answer Revenue\\u001b]52;c;cm0gLXJmIH4=\\u0007 by Month\\u001b[2J")
    expect(run.stderr).toContain("\\u001b]52;c;") // the debug line naming the answer
  })

  it("a-warning-naming-such-an-object-is-inert", timeout, async () => {
    const run = await runCliInProcess(["answer", evilSampled, "--out", tempDir()], { env: env(proxy.url) })
    expect(run.code, run.stderr).toBe(0)
    expectInert(run.stdout + run.stderr)
    expect(run.stderr).toMatch(/warning: .*Sampled\\u202e Orders\\u009b31m.*sampling_ratio/)
  })

  it("a-not-found-message-listing-such-names-is-inert", timeout, async () => {
    const run = await runCliInProcess(
      ["liveboard", "Sales Overview", "--viz", "Revenue by Regon", "--out", tempDir()],
      {
        env: env(proxy.url)
      }
    )
    expect(run.code).toBe(1)
    expectInert(run.stdout + run.stderr)
    expect(run.stderr).toContain('"Revenue by Region\\u001b[1A\\u001b[2K"')
  })

  it("a-failure-with-log-format-json-carries-such-names-exact-escaped-once", timeout, async () => {
    const run = await runCliInProcess(
      ["liveboard", "Sales Overview", "--viz", "Revenue by Regon", "--out", tempDir(), "--log-format", "json"],
      { env: env(proxy.url) }
    )
    expect(run.code).toBe(1)
    expectInert(run.stdout + run.stderr)
    // JSON's own escapes keep the terminal safe; the message decodes to the name as the server sent it, as the
    // JSON logs and summary do, not to the text's escaped spelling.
    const failure = JSON.parse(run.stderr.trimEnd().split("\n").at(-1)!)
    expect(failure.exit_code).toBe(1)
    expect(failure.message).toContain(`"${evilViz}"`)
  })

  it("the-batch-summary-and-its-failure-lines-are-inert", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    const exports = [
      { type: "answer", id: evilAnswer },
      // Fails with a message listing the liveboard's visualizations, one of them named with escapes.
      { type: "liveboard", id: "Sales Overview", visualizations: ["Nope"] }
    ]
    NodeFs.writeFileSync(job, JSON.stringify({ exports }))
    const run = await runCliInProcess(["run", job, "--out", NodePath.join(dir, "out")], { env: env(proxy.url) })
    expect(run.code, run.stderr).toBe(1)
    expectInert(run.stdout + run.stderr)
    expect(run.stdout).toContain("1 of 2 exports succeeded")
    expect(run.stdout).toContain("Revenue by Region\\u001b[1A")
  })

  it("json-logs-and-summary-carry-the-exact-names-escaped", timeout, async () => {
    const run = await runCliInProcess(["answer", evilAnswer, "--out", tempDir(), "--log-format", "json", "--verbose"], {
      env: env(proxy.url)
    })
    expect(run.code, run.stderr).toBe(0)
    expectInert(run.stdout + run.stderr)
    const summary = JSON.parse(run.stdout)
    expect(summary.summary.outputs[0].object).toBe(`answer ${evilAnswer}`)
    for (const line of run.stderr.trimEnd().split("\n")) expect(() => JSON.parse(line), line).not.toThrow()
  })
})

describe("log flags", () => {
  const sampled = ["answer", "Sampled Orders"]

  it("log-level-error-hides-warnings-and-debug-shows-debug-lines", timeout, async () => {
    const plain = await runCliInProcess([...sampled, "--out", tempDir()], { env: env(sandbox.url) })
    expect(plain.stderr).toContain("warning:")
    expect(plain.stderr).not.toContain("using ThoughtSpot at")
    const quietest = await runCliInProcess([...sampled, "--out", tempDir(), "--log-level", "error"], {
      env: env(sandbox.url)
    })
    expect(quietest.code, quietest.stderr).toBe(0)
    expect(quietest.stderr).not.toContain("warning:")
    expect(quietest.stdout).toContain("answer-Sampled Orders.csv") // the summary still shows
    const debug = await runCliInProcess([...sampled, "--out", tempDir(), "--log-level=debug"], {
      env: env(sandbox.url)
    })
    expect(debug.stderr).toContain("using ThoughtSpot at")
  })

  it("log-level-and-verbose-that-disagree-are-a-usage-error", timeout, async () => {
    const run = await runCliInProcess([...sampled, "--verbose", "--log-level", "warn"], { env: env(sandbox.url) })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("contradict")
  })

  it("log-format-json-makes-every-stderr-line-and-the-summary-a-json-object", timeout, async () => {
    const run = await runCliInProcess(
      [...sampled, "--out", tempDir(), "--log-format", "json", "--verbose", "--workers", "1"],
      {
        env: env(sandbox.url)
      }
    )
    expect(run.code, run.stderr).toBe(0)
    const logs = run.stderr
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(logs.some((l) => l["level"] === "WARN")).toBe(true)
    const pages = logs.find((l) => String(l["message"]).includes("pages written straight"))
    expect(pages?.["pages"]).toBe(1) // figures are fields, not text in the message
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1)
    const summary = JSON.parse(run.stdout).summary
    expect(summary).toMatchObject({ files: 1, results: 1, rows: summary.outputs[0].rows })
  })

  it("with-out-dash-the-json-summary-goes-to-stderr-and-stdout-is-data", timeout, async () => {
    const run = await runCliInProcess([...sampled, "--out", "-", "--log-format", "json"], { env: env(sandbox.url) })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.split("\r\n")[0]).not.toContain("{")
    const last = JSON.parse(run.stderr.trimEnd().split("\n").at(-1)!)
    expect(last.summary.folder).toBe(null)
  })

  it("a-failure-with-log-format-json-is-one-json-object", timeout, async () => {
    const run = await runCliInProcess(["answer", "Revenue by Mnth", "--log-format", "json"], { env: env(sandbox.url) })
    expect(run.code).toBe(1)
    const lines = run.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "ERROR", exit_code: 1 })
  })

  it("the-demo-summary-counts-each-result-once-and-names-the-folder", timeout, async () => {
    const dir = tempDir()
    const run = await runCli(["demo", "--out", dir], { env: {} })
    expect(run.code, run.stderr).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))
    const csv = manifest.outputs.filter((o: { format: string }) => o.format === "csv")
    const rows = csv.reduce((n: number, o: { rows_written: number }) => n + o.rows_written, 0)
    const footer = run.stdout.trimEnd().split("\n").at(-1)
    expect(footer).toBe(
      `${manifest.outputs.length} files (${csv.length} results), ${rows.toLocaleString("en-US")} rows in ${NodeFs.realpathSync(dir)}`
    )
    expect(run.stdout).toMatch(/ 10,000 /) // counts in the table have thousands separators too
  })
})

describe("did you mean", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [["answer", "Revenue by Mnth"], '; did you mean "Revenue by Month"?'],
    [["liveboard", "Sales Overviw"], '; did you mean "Sales Overview"?'],
    [["search", "--table", "Ordrs", "--query", "[Region]"], '; did you mean "Orders"?'],
    [["liveboard", "Sales Overview", "--viz", "Revenue by Regin"], '; did you mean "Revenue by Region"?']
  ]
  for (const [args, says] of cases) {
    it(
      `unknown-${args[0]}-${args.at(-1) === "[Region]" ? "table" : args.includes("--viz") ? "visualization" : "name"}-suggests-the-closest`,
      timeout,
      async () => {
        const run = await runCliInProcess([...args, "--out", tempDir()], { env: env(sandbox.url) })
        expect(run.code).toBe(1)
        expect(run.stderr).toContain(says)
      }
    )
  }

  it("unknown-flag-suggests-the-closest-flag-in-one-error", timeout, async () => {
    const run = await runCliInProcess(["answer", "Revenue by Month", "--output", "x"], { env: env(sandbox.url) })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    const lines = run.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(2)
    // --out first: the closest; other flags that contain "output" may follow.
    expect(lines[0]).toMatch(/^spotpipe: unknown flag --output for "spotpipe answer"; did you mean --out[ ?]/)
    expect(lines[1]).toBe('Run "spotpipe answer --help" for usage.')
  })

  it("an-unknown-flag-before-the-command-is-one-error-not-also-its-value-as-a-command", timeout, async () => {
    const run = await runCliInProcess(["--output", "x", "answer", "Revenue by Month"], { env: env(sandbox.url) })
    expect(run.code).toBe(2)
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      'spotpipe: unknown flag --output for "spotpipe"',
      'Run "spotpipe --help" for usage.'
    ])
  })

  it("unknown-command-suggests-the-closest-command", timeout, async () => {
    const run = await runCliInProcess(["metdata"])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('unknown command "metdata" for "spotpipe"; did you mean "metadata"?')
  })

  for (const [args, line] of [
    [["answr", "Revenue by Month", "--sandbox"], 'unknown command "answr" for "spotpipe"; did you mean "answer"?'],
    [["ls", "answrs", "--sandbox"], 'unknown command "answrs" for "spotpipe ls"; did you mean "answers"?'],
    [["config", "lst", "--json"], 'unknown command "lst" for "spotpipe config"; did you mean "list"?']
  ] as const) {
    it.live(`a-mistyped-command-with-flags-is-an-unknown-command-not-an-unknown-flag: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args)
        expect(run.code).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr.split("\n")).toEqual([`spotpipe: ${line}`, expect.stringMatching(/^Run "spotpipe.* --help"/)])
      })
    )
  }
})

/** The path of every command under `command` (itself included), e.g. `[]`, `["ls"]`, `["ls", "answers"]`. */
const commandPaths = (command: Command.Command.Any, path: ReadonlyArray<string> = []): Array<ReadonlyArray<string>> => [
  path,
  ...command.subcommands.flatMap((group) => group.commands.flatMap((sub) => commandPaths(sub, [...path, sub.name])))
]

describe("help", () => {
  // Every command, groups (`ls`, `config`, `auth`) and the root included.
  for (const path of commandPaths(spotpipe)) {
    const words = path.length === 0 ? "spotpipe" : path.join("-")
    it.live(`${words}-help-ends-with-examples`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess([...path, "--help"])
        expect(run.code).toBe(0)
        const examples = run.stdout.slice(run.stdout.lastIndexOf("EXAMPLES"))
        const prefix = ["spotpipe", ...path].join(" ")
        expect(examples).toMatch(new RegExp(`^EXAMPLES\\n[\\s\\S]*\\n  (\\S+=\\S+ )*${prefix} `))
      })
    )
  }

  it.live("metadata-help-states-its-default-types", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["metadata", "--help"])
      expect(run.stdout).toContain("(default LIVEBOARD,ANSWER,LOGICAL_TABLE)")
    })
  )

  it.live("workers-help-says-what-it-does-not-which-allocator-variable-it-needs", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["answer", "--help"])
      const line = run.stdout.split("\n").find((l) => l.includes("--workers"))
      expect(line).toContain("default 1 on machines with 2+ cores")
      expect(line).not.toContain("MALLOC")
    })
  )
})

describe("sandbox start-up", () => {
  const expectCredentials = (text: string, key: string) => {
    expect(text).toContain(`${fixtures.user.username} / ${fixtures.user.password}`)
    expect(text).toContain(`${fixtures.limitedUser.username} / ${fixtures.limitedUser.password}`)
    expect(text).toContain(`secret key: ${key}`)
    expect(text).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
  }

  it("spotpipe-sandbox-prints-the-url-both-users-and-the-secret-key", timeout, async () => {
    const run = await runCli(["sandbox", "--port", "0"], {
      env: { SPOTPIPE_SANDBOX_SECRET_KEY: "display-test-key-1" },
      killOn: { text: "Ctrl-C stops it.", signal: "SIGINT" },
      timeoutMillis: 20_000
    })
    expectCredentials(run.stdout, "display-test-key-1")
  })

  it("spotpipe-sandbox-with-the-key-variable-set-but-empty-makes-a-random-key", timeout, async () => {
    // Empty is "not set", as for every other variable: not a key too short to use.
    const run = await runCli(["sandbox", "--port", "0"], {
      env: { SPOTPIPE_SANDBOX_SECRET_KEY: "" },
      killOn: { text: "Ctrl-C stops it.", signal: "SIGINT" },
      timeoutMillis: 20_000
    })
    expect(run.stderr).not.toContain("at least 8 characters")
    const key = /secret key: (\S+)/.exec(run.stdout)?.[1] ?? ""
    expect(key).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expectCredentials(run.stdout, key)
  })

  it("the-sandbox-bin-prints-the-url-both-users-and-the-secret-key", timeout, async () => {
    const main = NodePath.join(
      NodePath.dirname(fileURLToPath(import.meta.url)),
      "../../../packages/sandbox/src/main.ts"
    )
    const run = await runNode([main, "--port", "0", "--secret-key", "display-test-key-2"], {
      killOn: { text: "test credentials", signal: "SIGINT" },
      timeoutMillis: 20_000
    })
    expectCredentials(run.stdout, "display-test-key-2")
  })
})

describe("progress on a terminal", () => {
  // Every other answer-data request answers 503, the first one too: the export logs a retry while its live line shows.
  let flaky: RunningSandbox
  beforeAll(async () => {
    flaky = await startSandbox({
      rows: fixtures.golden.rows,
      seed: fixtures.golden.seed,
      faults: { routes: { "metadata/answer/data": { error503: 1 } }, maxConsecutiveFaults: 1, rateLimit: false }
    })
  })
  afterAll(async () => {
    await flaky?.close()
  })

  /** What a terminal (a pseudo-terminal from util-linux's `script`) receives from `spotpipe args…`, stdout aside. */
  const onTerminal = (args: ReadonlyArray<string>, term: string) =>
    new Promise<{ readonly code: number | null; readonly screen: string }>((resolve) => {
      const command = [process.execPath, mainPath, ...args].map(shellWord).join(" ")
      const child = spawn("script", ["-qec", `${command} >/dev/null`, "/dev/null"], {
        env: cliEnv({ ...env(flaky.url), TERM: term }),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let screen = ""
      child.stdout.on("data", (chunk: Buffer) => {
        screen += chunk.toString("utf8")
      })
      child.on("close", (code) => resolve({ code, screen }))
    })

  it("a-log-line-while-the-progress-line-shows-takes-its-place-on-a-line-of-its-own", timeout, async () => {
    const run = await onTerminal(["answer", "Revenue by Month", "--out", tempDir()], "xterm")
    expect(run.code, run.screen).toBe(0)
    expect(run.screen).toContain('answer "Revenue by Month"  0 rows') // the live line was drawn
    const retries = run.screen.split("\n").filter((line) => line.includes("retrying answerData"))
    expect(retries.length, run.screen).toBeGreaterThan(0)
    // What the terminal shows of each such line: what follows its last "clear the line" sequence.
    for (const line of retries) expect(line.split("\u001b[2K").at(-1)).toMatch(/^spotpipe: retrying answerData/)
  })

  it("term-dumb-gets-no-progress-line-and-no-escape-codes", timeout, async () => {
    const run = await onTerminal(["answer", "Revenue by Month", "--out", tempDir()], "dumb")
    expect(run.code, run.screen).toBe(0)
    expect(run.screen).toContain("spotpipe: retrying answerData")
    expect(run.screen).not.toContain("\u001b")
    expect(run.screen).not.toContain("0 rows/s")
  })
})
