/**
 * What a newcomer types on a first try and gets wrong: a flag before its command, an empty value from an unset
 * shell variable, the demo pointed at stdout, a password prompt or the wizard left with Ctrl-C, a password
 * answered with Enter. Each gets a usage error (or the interruption) that says what happened, before any request:
 * the configured host is unreachable, so reaching it would be exit 1. The prompts run on a scripted terminal, and
 * the wizard once on a pseudo-terminal (util-linux `script`).
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Cause, ConfigProvider, Effect, Exit, Layer, Option, Redacted, type Terminal } from "effect"
import { Prompt, TerminalCapabilities } from "effect/cli"
import { TestConsole } from "effect/testing"
import { askPassword, connectionOf } from "../src/cli/Commands.ts"
import { program } from "../src/cli/Program.ts"
import { sandboxStartupLines } from "../src/cli/SandboxCommand.ts"
import { runInProcess } from "./support/inProcess.ts"
import { cliEnv, mainPath, noConfig, runCli, runTemp } from "./support/runCli.ts"
import { key, onTerminals, scriptedTerminal, typed } from "./support/scriptedTerminal.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-first-")

// No request may happen: this host is never reachable, so reaching it would fail with exit 1, not 2.
const cluster = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }

describe("a flag given before its command", () => {
  for (const [args, flag, command] of [
    [["--sandbox", "answer", "Revenue by Month"], "--sandbox", "spotpipe answer"],
    [["--format", "ndjson", "answer", "A", "--out", "-"], "--format", "spotpipe answer"],
    [["--out=./x", "metadata"], "--out", "spotpipe metadata"],
    [["ls", "--quiet", "answers"], "--quiet", "spotpipe ls answers"],
    [["-f", "a=b", "api", "GET", "system"], "-f", "spotpipe api"]
  ] as const) {
    it.live(`is-said-to-go-after-the-command-not-called-unknown: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toBe(
          `spotpipe: ${flag} is given before "${command.split(" ").at(-1)}": a command's flags go after its name (${command} … ${flag}); run "${command} --help" for usage`
        )
      })
    )
  }

  it.live("that-is-no-flag-of-the-command-either-is-still-unknown", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["--output", "x", "answer", "A"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('unknown flag --output for "spotpipe"')
    })
  )

  it.live("a-global-flag-before-the-command-still-works", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["--log-level", "debug", "answer", "A", "--format", "xlsx"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("--format csv, ndjson or parquet")
    })
  )
})

describe("a name with spaces, not quoted", () => {
  for (const [args, says] of [
    [
      ["answer", "Revenue", "by", "Month", "--out", "-"],
      'spotpipe answer takes one <guid-or-name>, but the shell split "Revenue by Month" into 3 words: put a name with spaces in quotes (spotpipe answer "Revenue by Month")'
    ],
    [
      ["ls", "visualizations", "--json", "Sales", "Overview"],
      'spotpipe ls visualizations takes one <liveboard>, but the shell split "Sales Overview" into 2 words: put a name with spaces in quotes (spotpipe ls visualizations "Sales Overview")'
    ],
    [["liveboard", "--out", "./x", "Sales$", "Overview"], "(spotpipe liveboard 'Sales$ Overview')"],
    // Not right after the name (the flag's value comes between): no guess at what was meant.
    [
      ["answer", "Revenue", "--out", "./x", "by"],
      'spotpipe answer takes <guid-or-name>, but "by" is more: put a name with spaces in quotes'
    ],
    [
      ["metadata", "ANSWER"],
      'spotpipe metadata takes no argument, but "ANSWER" was given: what it does is set with flags (--help lists them)'
    ]
  ] as const) {
    it.live(`is-a-usage-error-saying-so-not-unexpected-positional-arguments: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(says)
        expect(run.stderr).not.toContain("Unexpected positional")
      })
    )
  }
})

describe("a missing argument or required flag", () => {
  for (const [args, says] of [
    [["answer"], "spotpipe answer needs <guid-or-name>: the saved answer's GUID or exact name"],
    [["load", "./landing"], "spotpipe load needs --into: duckdb:FILE, or postgresql://user@host:port/database"],
    [["search", "--table", "Orders"], 'spotpipe search needs --query: search tokens, e.g. "[Region] [Revenue]'],
    // A flag's value left out: the flag last, or another flag after it.
    [["answer", "A", "--out", "--format", "csv"], "--out needs a value: output directory, or - for stdout"],
    [["answer", "A", "--format"], "--format needs a value (csv|ndjson|parquet): output format"],
    [["answer", "A", "--log-level"], "--log-level needs a value (all|trace|debug|info|warn"]
  ] as const) {
    it.live(`says-what-to-give-there-from-its-help: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(`spotpipe: ${says}`)
        expect(run.stderr).not.toContain("Missing")
      })
    )
  }
})

describe("a flag given twice (a script that appends flags)", () => {
  it.live("says-so-and-to-give-it-once", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["answer", "A", "--format", "csv", "--format", "ndjson"], cluster)
      expect(run.code).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain("spotpipe: --format is given 2 times: give it once")
      expect(run.stderr).not.toContain("occurrences")
    })
  )
})

describe("a --type word people use", () => {
  for (const [args, meant] of [
    [["metadata", "--type", "ANSWERS,TAG", "--out", "-"], "ANSWER"],
    [["metadata", "--type", "worksheet", "--out", "-"], "LOGICAL_TABLE"],
    [["tml", "--type", "models"], "LOGICAL_TABLE"],
    [["permissions", "--type", "liveboards"], "LIVEBOARD"]
  ] as const) {
    it.live(`names-the-type-meant: ${args[0]} --type ${args[2]}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(`; did you mean "${meant}"?`)
      })
    )
  }
})

describe("a one-letter flag other tools have", () => {
  for (const [args, says] of [
    [
      ["answer", "A", "-o", "./landing"],
      'unknown flag -o for "spotpipe answer"; did you mean --out, --orgs or --org-id?'
    ],
    [["ls", "answers", "-q"], 'unknown flag -q for "spotpipe ls answers"; did you mean --quiet?'],
    [["metadata", "-t", "ANSWER"], 'unknown flag -t for "spotpipe metadata"; did you mean --tag, --type or --timeout?']
  ] as const) {
    it.live(`names-the-flags-with-its-letter-not-help-or-version: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(says)
        expect(run.stderr).not.toContain("-h or -v")
      })
    )
  }
})

describe("commands other tools have", () => {
  for (const [args, says] of [
    [["auth", "login"], "there is no auth login: spotpipe keeps no session"],
    [["auth", "logout"], "there is no auth logout: spotpipe keeps no session"],
    [["help"], 'there is no help command: run "spotpipe --help"'],
    [["version"], 'there is no version command: run "spotpipe --version"']
  ] as const) {
    it.live(`say-what-to-type-instead: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr.startsWith(`spotpipe: ${says}`), run.stderr).toBe(true)
        expect(run.stderr).not.toContain("unknown command")
      })
    )
  }
})

describe("an empty connection flag (a shell variable that is not set)", () => {
  for (const [flag, says] of [
    ["--host", "--host is empty: give the cluster's URL"],
    ["--username", "--username is empty: give the ThoughtSpot user"],
    ["--password-file", "--password-file is empty: give the path of the file"]
  ] as const) {
    it.live(`${flag}-empty-is-refused-as-empty-not-as-missing-when-the-environment-gives-it`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(["ls", "answers", flag, ""], cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(says)
        // THOUGHTSPOT_HOST and THOUGHTSPOT_USERNAME are set: "set THOUGHTSPOT_HOST" would not help.
        expect(run.stderr).not.toContain("no ThoughtSpot host")
        expect(run.stderr).not.toContain("no user for the password")
      })
    )
  }
})

describe("an empty THOUGHTSPOT_HOST (exported from a shell variable that is not set)", () => {
  it("is-said-to-be-set-but-empty-not-told-to-be-set", { timeout: 60_000 }, async () => {
    const run = await runCli(["ls", "answers"], {
      env: { ...runTemp, ...noConfig, THOUGHTSPOT_HOST: "", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw" }
    })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr.trim()).toBe(
      "spotpipe: no ThoughtSpot host: THOUGHTSPOT_HOST is set but empty; pass --host https://your-cluster.thoughtspot.cloud, give THOUGHTSPOT_HOST the cluster's URL or save it in a profile (spotpipe config set host URL --profile NAME) and pass --profile NAME (or use --sandbox)"
    )
  })
})

describe("an empty object name (a shell variable that is not set)", () => {
  for (const [args, says] of [
    [["answer", "", "--out", "-"], "the answer is empty: give its GUID or exact name"],
    [["liveboard", " ", "--out", "-"], "the liveboard is empty: give its GUID or exact name"],
    [["search", "--table", "", "--query", "[Region]", "--out", "-"], "--table is empty"],
    [["ls", "visualizations", ""], "the liveboard is empty: give its GUID or exact name"],
    [["run", ""], "the job file is empty"]
  ] as const) {
    it.live(`is-a-usage-error-before-any-request: ${args[0]}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(says)
      })
    )
  }
})

describe("an empty value to load (a shell variable that is not set)", () => {
  for (const [args, says] of [
    [["load", "", "--into", "duckdb:w.duckdb"], "the run to load is empty: give a run's output folder"],
    [
      ["load", "./landing", "--into", "postgresql://loader@127.0.0.1:9/db", "--password-file", ""],
      "--password-file is empty: give the path of the file that holds the PostgreSQL password"
    ]
  ] as const) {
    it.live(`is-refused-as-empty: ${args[1] === "" ? "run" : "--password-file"}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain(says)
      })
    )
  }
})

describe("the demo's --out", () => {
  for (const [out, says] of [
    ["-", "spotpipe demo writes many files: give --out a folder, not -"],
    ["", "--out is empty: give a folder"]
  ] as const) {
    it.live(`${out === "" ? "empty" : "stdout"}-is-a-usage-error-before-the-sandbox-starts`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(["demo", "--out", out])
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(says)
        expect(run.stderr).not.toContain("--viz")
      })
    )
  }
})

describe("an Org asked for with --sandbox", () => {
  const jobFile = NodePath.join(tempDir(), "job.json")
  NodeFs.writeFileSync(
    jobFile,
    JSON.stringify({ connection: { orgId: 1482304613 }, exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] })
  )
  for (const [args, given] of [
    [["metadata", "--sandbox", "--org-id", "1482304613", "--out", "-"], "--org-id"],
    [["auth", "status", "--sandbox", "--org-id", "1482304613"], "--org-id"],
    [["api", "GET", "system", "--sandbox", "--org-id", "1482304613"], "--org-id"],
    [["run", jobFile, "--sandbox", "--dry-run"], `the job file's "orgId"`]
  ] as const) {
    it.live(`is-refused-not-dropped-for-the-primary-org: ${args[0]} with ${given}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(`--sandbox signs in to the sandbox's Primary Org, so ${given} would export`)
      })
    )
  }
})

describe("a user given with --sandbox", () => {
  for (const [args, flag] of [
    [["answer", "Revenue by Month", "--sandbox", "--username", "tsViewer", "--out", "-"], "--username"],
    [["ls", "answers", "--sandbox", "--password-file", "/tmp/pw"], "--password-file"],
    [["auth", "status", "--sandbox", "--username", "tsViewer"], "--username"]
  ] as const) {
    it.live(`is-refused-not-dropped-for-the-sandbox's-own-user: ${args[0]} with ${flag}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(`--sandbox signs in as the sandbox's own test user, so ${flag} would be ignored`)
      })
    )
  }
})

describe("an Org asked for with a token issued elsewhere", () => {
  const token = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_TOKEN: "tok-Zx81" }
  const jobFile = NodePath.join(tempDir(), "job.json")
  NodeFs.writeFileSync(
    jobFile,
    JSON.stringify({ connection: { orgId: 5 }, exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] })
  )
  for (const [args, from] of [
    [["metadata", "--org-id", "5", "--out", "-"], "--org-id"],
    [["auth", "status", "--org-id", "5"], "--org-id"],
    [["ls", "answers", "--org-id", "5"], "--org-id"],
    [["run", jobFile, "--dry-run"], "the job file"]
  ] as const) {
    it.live(`is-refused-not-dropped-for-the-token's-org: ${args[0]} with ${from}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, token)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(
          `a token (THOUGHTSPOT_TOKEN) signs in to the Org it was issued for, so the Org from ${from}`
        )
        expect(run.stderr).not.toContain("tok-Zx81")
      })
    )
  }
})

describe("a profile's secret file under ~", () => {
  it.live("is-stored-under-HOME-not-under-a-folder-named-tilde", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const home = tempDir()
      NodeFs.writeFileSync(NodePath.join(home, ".ts-password"), "pw\n", { mode: 0o600 })
      const env = { SPOTPIPE_CONFIG: NodePath.join(dir, "config.json"), HOME: home }
      const run = yield* runInProcess(["config", "set", "secret", "file:~/.ts-password", "--profile", "p"], env)
      expect(run.code, run.stderr).toBe(0)
      const config = JSON.parse(NodeFs.readFileSync(env.SPOTPIPE_CONFIG, "utf8"))
      expect(config.profiles.p.secret).toBe(`file:${home}/.ts-password`)
      const homeless = yield* runInProcess(["config", "set", "secret", "file:~/.ts-password", "--profile", "p"], {
        SPOTPIPE_CONFIG: env.SPOTPIPE_CONFIG
      })
      expect(homeless.code).toBe(2)
      expect(homeless.stderr).toContain("HOME is not set, so ~ names no folder")
    })
  )
})

describe("the sandbox's start-up example", () => {
  it("runs-as-printed-when-the-sandbox-listens-on-every-address", { timeout: 60_000 }, async () => {
    const sandbox = await startSandbox({ host: "0.0.0.0", rows: 10 })
    try {
      const line = sandboxStartupLines(sandbox, fixtures, "spotpipe").find((l) => l.startsWith("try: ")) ?? ""
      const parsed =
        /^try: THOUGHTSPOT_HOST=(\S+) THOUGHTSPOT_USERNAME=(\S+) THOUGHTSPOT_PASSWORD='([^']*)' spotpipe (.+)$/.exec(
          line
        )
      expect(parsed, line).not.toBeNull()
      const [, host, username, password, command] = parsed!
      const run = await runCli(command!.split(" "), {
        env: { THOUGHTSPOT_HOST: host!, THOUGHTSPOT_USERNAME: username!, THOUGHTSPOT_PASSWORD: password! }
      })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain("type,id,name")
    } finally {
      await sandbox.close()
    }
  })

  it("adds --allow-insecure-http for a sandbox on an address that is not loopback", () => {
    const line = sandboxStartupLines(
      { url: "http://192.168.1.5:4010", rows: 1, timezone: "UTC", seed: 1, secretKey: "k" },
      fixtures,
      "spotpipe"
    ).find((l) => l.startsWith("try: "))
    expect(line).toContain("THOUGHTSPOT_HOST=http://192.168.1.5:4010 ")
    expect(line).toMatch(/ --allow-insecure-http$/)
  })
})

describe("--out=~/… (the shell leaves ~ alone after =)", () => {
  it.live("is-the-home-folder-not-a-folder-named-tilde-here", () =>
    Effect.gen(function* () {
      const name = `spotpipe-first-${process.pid}`
      const run = yield* runInProcess([
        "answer",
        "Revenue by Month",
        "--sandbox",
        `--out=~/${name}`,
        "--dry-run",
        "--json"
      ])
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout).folder).toBe(NodePath.join(NodeOs.homedir(), name))
      expect(NodeFs.existsSync("~")).toBe(false)
    })
  )
})

describe("--out with a data file's name (a file meant, a folder given)", () => {
  for (const [args, advice] of [
    [["answer", "Revenue by Month"], (dir: string) => `use --out ${dir} --output-name m`],
    [
      ["search", "--table", "Orders", "--query", "[Region]", "--format", "csv"],
      (dir: string) => `use --out ${dir} --output-name m --format parquet`
    ],
    [["run", "job.json"], (dir: string) => `use --out ${dir}; the job file names each export's file with its "output"`]
  ] as const) {
    it.live(`that-does-not-exist-is-refused-not-made-a-folder: ${args[0]}`, () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const job = NodePath.join(dir, "job.json")
        NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
        const ending = args[0] === "search" ? ".parquet" : ".csv"
        const out = NodePath.join(dir, `m${ending}`)
        const given = args.map((a) => (a === "job.json" ? job : a))
        const run = yield* runInProcess([...given, "--out", out], cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toBe(
          `spotpipe: --out ${out} looks like a file's name, but --out names a folder (spotpipe names the files in it), and there is no folder m${ending}: ${advice(dir)} (or, for a folder of that name, create it first)`
        )
        expect(NodeFs.existsSync(out)).toBe(false)
      })
    )
  }

  it.live("that-exists-as-a-folder-is-used-as-before", () =>
    Effect.gen(function* () {
      const out = NodePath.join(tempDir(), "landing.csv")
      NodeFs.mkdirSync(out)
      const run = yield* runInProcess(["answer", "Revenue by Month", "--sandbox", "--out", out, "--quiet"])
      expect(run.code, run.stderr).toBe(0)
      expect(NodeFs.readdirSync(out)).toContain("answer-Revenue by Month.csv")
    })
  )
})

describe("principals to stdout", () => {
  it.live("is-a-usage-error-before-signing-in-naming-its-seven-tables-not-viz", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["principals", "--out", "-"], cluster)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain("spotpipe principals writes seven tables")
      expect(run.stderr).not.toContain("--viz")
    })
  )
})

const ask = (keys: ReadonlyArray<Terminal.UserInput>) =>
  askPassword("Password for ana at https://acme.thoughtspot.cloud").pipe(
    Effect.provide(Layer.merge(NodeServices.layer, scriptedTerminal(keys))),
    Effect.exit
  )

describe("the password prompt", () => {
  it.live("returns-what-was-typed", () =>
    Effect.gen(function* () {
      const exit = yield* ask([...typed("pw-Zx81"), key("return")])
      expect(Exit.isSuccess(exit) && Redacted.value(exit.value)).toBe("pw-Zx81")
    })
  )

  it.live("draws-nothing-of-what-is-typed-not-even-its-length", () =>
    Effect.gen(function* () {
      const shown: Array<string> = []
      const exit = yield* askPassword("Password for ana at https://acme.thoughtspot.cloud").pipe(
        Effect.provide(Layer.merge(NodeServices.layer, scriptedTerminal([...typed("pw-Zx81"), key("return")], shown))),
        Effect.exit
      )
      expect(Exit.isSuccess(exit) && Redacted.value(exit.value)).toBe("pw-Zx81")
      const drawn = shown.join("")
      expect(drawn).toContain("Password for ana at https://acme.thoughtspot.cloud")
      expect(drawn).not.toContain("pw-Zx81")
      expect(drawn).not.toContain("*")
    })
  )

  it.live("left-with-ctrl-c-interrupts-the-run-as-ctrl-c-does-elsewhere", () =>
    Effect.gen(function* () {
      const exit = yield* ask([...typed("pw"), key("c", { ctrl: true })])
      expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true)
    })
  )

  it.live("its-colours-follow-the-rule-of-the-rest-of-the-cli", () =>
    Effect.gen(function* () {
      // A colour or style (SGR) sequence; the prompt's cursor and erase sequences are not colours.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding colour sequences is the point
      const sgr = /\u001b\[[0-9;]*m/
      const drawn = (canColor: boolean) =>
        Effect.gen(function* () {
          const shown: Array<string> = []
          const exit = yield* askPassword("Password for ana at https://acme.thoughtspot.cloud").pipe(
            Effect.provide(Layer.merge(NodeServices.layer, scriptedTerminal([...typed("pw"), key("return")], shown))),
            // What the prompt's own detection gives on a terminal (stdout a TTY, NO_COLOR unset), which knows
            // nothing of TERM=dumb or FORCE_COLOR; the CLI's rule says otherwise.
            Effect.provideService(Prompt.Theme, Prompt.makeTheme({ colors: !canColor })),
            Effect.provideService(TerminalCapabilities.TerminalCapabilities, {
              canColor,
              canAnimate: true,
              canPrompt: true
            }),
            Effect.exit
          )
          expect(Exit.isSuccess(exit)).toBe(true)
          return shown.join("")
        })
      const plain = yield* drawn(false)
      expect(plain).toContain("Password for ana at https://acme.thoughtspot.cloud")
      expect(plain).not.toMatch(sgr)
      expect(yield* drawn(true)).toMatch(sgr)
    })
  )

  // Whether it is asked follows the CLI's one terminal rule (`TerminalCapabilities.canPrompt`): TERM=dumb on a
  // terminal cannot redraw a prompt, so the run says what to set instead of drawing one.
  const signIn = (canPrompt: boolean, keys: ReadonlyArray<Terminal.UserInput>) =>
    connectionOf(
      {
        host: Option.some("https://acme.thoughtspot.cloud"),
        username: Option.some("ana"),
        passwordFile: Option.none(),
        orgId: Option.none(),
        sandbox: false,
        allowInsecureHttp: false
      },
      true
    ).pipe(
      Effect.provide(Layer.merge(NodeServices.layer, scriptedTerminal(keys))),
      Effect.provideService(TerminalCapabilities.TerminalCapabilities, {
        canColor: false,
        canAnimate: canPrompt,
        canPrompt
      }),
      // No THOUGHTSPOT_* variable and no config file: the prompt is the only source of a password.
      Effect.provide(
        ConfigProvider.layer(
          ConfigProvider.fromEnv({ env: { SPOTPIPE_CONFIG: NodePath.join(NodeOs.tmpdir(), "spotpipe-none.json") } })
        )
      ),
      Effect.exit
    )

  it.live("is-asked-where-the-terminal-rule-says-a-prompt-can-be-answered", () =>
    Effect.gen(function* () {
      const exit = yield* signIn(true, [...typed("pw-Zx81"), key("return")])
      expect(Exit.isSuccess(exit)).toBe(true)
      if (Exit.isSuccess(exit)) {
        const auth = exit.value._tag === "Cluster" ? exit.value.auth : undefined
        expect(auth?._tag === "Password" && Redacted.value(auth.password)).toBe("pw-Zx81")
      }
    })
  )

  it.live("is-not-drawn-on-a-terminal-that-cannot-prompt-term-dumb-which-says-what-to-set", () =>
    Effect.gen(function* () {
      // Every stream a terminal, as in a TERM=dumb session: the TTY checks alone would draw the prompt.
      const exit = yield* onTerminals(signIn(false, [...typed("pw-Zx81"), key("return")]))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = Cause.squash(exit.cause) as { readonly _tag?: string; readonly message?: string }
        expect(error._tag).toBe("UsageError")
        expect(error.message).toContain("no credentials")
        expect(error.message).toContain("THOUGHTSPOT_PASSWORD")
        expect(error.message).toContain("--password-file")
      }
    })
  )

  it.live("an-empty-entry-is-a-usage-error-never-sent-as-a-password", () =>
    Effect.gen(function* () {
      const exit = yield* ask([key("return")])
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = Cause.squash(exit.cause) as { readonly _tag?: string; readonly message?: string }
        expect(error._tag).toBe("UsageError")
        expect(error.message).toContain("no password entered: type it at the prompt")
      }
    })
  )
})

describe("the wizard", () => {
  // effect/cli's wizard took leaving it for "Wizard cancelled." and a success (exit 0), as if the command had run.
  it.live("left-with-ctrl-c-interrupts-the-run-as-ctrl-c-does-elsewhere-writing-nothing", () =>
    Effect.gen(function* () {
      const out = NodePath.join(tempDir(), "landing")
      const shown: Array<string> = []
      const run = yield* onTerminals(
        Effect.gen(function* () {
          const exit = yield* Effect.exit(program(["answer", "--wizard", "--out", out]))
          return {
            exit,
            stdout: (yield* TestConsole.logLines).map(String).join("\n"),
            stderr: (yield* TestConsole.errorLines).map(String).join("\n")
          }
        })
      ).pipe(
        // A terminal that can prompt (the process's own capabilities are read once, whatever isTTY says later).
        Effect.provideService(TerminalCapabilities.TerminalCapabilities, {
          canColor: false,
          canAnimate: true,
          canPrompt: true
        }),
        Effect.provide(
          Layer.mergeAll(
            NodeServices.layer,
            scriptedTerminal([key("c", { ctrl: true })], shown),
            TestConsole.layer,
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: cluster }))
          )
        )
      )
      // The wizard asked its first question, and leaving it interrupted the run (exit 130, see Main.ts).
      expect(shown.join("")).toContain("(--host)?")
      expect(Exit.isFailure(run.exit) && Cause.hasInterruptsOnly(run.exit.cause), String(run.exit)).toBe(true)
      expect(run.stdout).not.toContain("Wizard cancelled")
      expect(run.stderr).toBe("spotpipe: interrupted; no partial file was published")
      expect(NodeFs.existsSync(out)).toBe(false)
    })
  )

  it.live("is-not-drawn-on-a-terminal-that-cannot-prompt-term-dumb-which-says-so", () =>
    Effect.gen(function* () {
      const shown: Array<string> = []
      // Every stream a terminal, as in a TERM=dumb session: the TTY checks alone would start the wizard.
      const run = yield* onTerminals(
        Effect.gen(function* () {
          const code = yield* program(["answer", "--wizard"])
          return {
            code,
            stdout: (yield* TestConsole.logLines).join("\n"),
            stderr: (yield* TestConsole.errorLines).join("\n")
          }
        })
      ).pipe(
        Effect.provideService(TerminalCapabilities.TerminalCapabilities, {
          canColor: false,
          canAnimate: false,
          canPrompt: false
        }),
        Effect.provide(
          Layer.mergeAll(
            NodeServices.layer,
            scriptedTerminal([key("return")], shown),
            TestConsole.layer,
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: cluster }))
          )
        )
      )
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(shown).toEqual([])
      expect(run.stderr).toBe(
        "spotpipe: --wizard redraws each question as it is answered, which a terminal with TERM=dumb cannot: run it where TERM names a terminal that can, or give the flags themselves (--help lists them)"
      )
    })
  )

  it("left-with-ctrl-c-on-a-real-terminal-exits-130", { timeout: 60_000 }, async () => {
    const out = NodePath.join(tempDir(), "landing")
    const run = await onPseudoTerminal([process.execPath, mainPath, "answer", "--wizard", "--out", out], "(y/N)")
    expect(run.code, run.output).toBe(130)
    expect(run.output).toContain("spotpipe: interrupted; no partial file was published")
    expect(run.output).not.toContain("Wizard cancelled")
    expect(NodeFs.existsSync(out)).toBe(false)
  })
})

/**
 * Runs `argv` on a pseudo-terminal (util-linux `script`), in a clean environment like runCli's, and types Ctrl-C
 * once `question` is drawn: in raw mode a terminal hands it to the program as a key, not as SIGINT.
 */
const onPseudoTerminal = (argv: ReadonlyArray<string>, question: string) =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve, reject) => {
    const quoted = argv.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ")
    const child = spawn("script", ["-qfec", quoted, "/dev/null"], {
      env: cliEnv({ TERM: "xterm", ...cluster }),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let output = ""
    let typed = false
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (!typed && output.includes(question)) {
        typed = true
        child.stdin.write("\u0003")
      }
    }
    child.stdout.on("data", read)
    child.stderr.on("data", read)
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`no exit after Ctrl-C; the terminal showed: ${output}`))
    }, 50_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      child.stdin.destroy()
      resolve({ code, output })
    })
  })
