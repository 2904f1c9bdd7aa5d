/**
 * What a user with gh, dlt or cs_tools habits types on a first try, and what spotpipe says back: each mistake gets a
 * usage error that names what to type instead, before any request (the configured host is never reachable).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { duckDbInstallCommand } from "../src/load/DuckDbEngine.ts"
import { runInProcess } from "./support/inProcess.ts"
import { mainPath, noConfig, runNode } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-habits-")

/** A config file of its own, with the profiles `profiles`. */
const configWith = (profiles: Record<string, Record<string, string>>) => {
  const path = NodePath.join(tempDir(), "config.json")
  NodeFs.writeFileSync(path, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600 })
  return { SPOTPIPE_CONFIG: path }
}

// No request may happen: this host is never reachable, so reaching it would fail with exit 1, not 2.
const cluster = {
  ...noConfig,
  THOUGHTSPOT_HOST: "http://127.0.0.1:9",
  THOUGHTSPOT_USERNAME: "ana",
  THOUGHTSPOT_PASSWORD: "pw-Zx81"
}

describe("spotpipe api with gh's habits", () => {
  for (const [args, says] of [
    [
      ["api", "metadata/search"],
      "spotpipe: metadata/search is not a method: give it first, as in spotpipe api POST metadata/search (GET, POST, PUT, DELETE; REST v2.0 uses POST for most calls)"
    ],
    [
      ["api", "-f", "a=b", "metadata/search"],
      "spotpipe: metadata/search is not a method: give it first, as in spotpipe api POST metadata/search (GET, POST, PUT, DELETE; REST v2.0 uses POST for most calls)"
    ],
    [
      ["api", "-X", "POST", "metadata/search"],
      'spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api POST metadata/search'
    ],
    [
      ["api", "--method", "get", "system"],
      'spotpipe: unknown flag --method for "spotpipe api": the method is the first argument, as in spotpipe api GET system'
    ],
    [
      ["api", "-XPOST", "metadata/search"],
      'spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api POST metadata/search'
    ],
    [
      ["api", "--method=get", "system"],
      'spotpipe: unknown flag --method for "spotpipe api": the method is the first argument, as in spotpipe api GET system'
    ],
    [
      ["api", "-i", "GET", "system"],
      'spotpipe: unknown flag -i for "spotpipe api" (in gh, -i is --include, which spotpipe api does not have)'
    ],
    [["api", "metadata/search", "POST"], "spotpipe: the method goes first: spotpipe api POST metadata/search"],
    // A GET endpoint is said with GET; a query or a URL's user info is never repeated (it may hold a secret).
    [
      ["api", "system"],
      "spotpipe: system is not a method: give it first, as in spotpipe api GET system (GET, POST, PUT, DELETE; REST v2.0 uses POST for most calls)"
    ],
    [
      ["api", "system?access_token=SEKRET123"],
      "spotpipe: 'system?…' is not a method: give it first, as in spotpipe api GET 'system?…' (GET, POST, PUT, DELETE; REST v2.0 uses POST for most calls)"
    ],
    [
      ["api", "-X", "GET", "system?token=SEKRET123"],
      `spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api GET 'system?…'`
    ],
    [
      ["api", "-XGET", "https://me:SEKRET123@h.example/api/rest/2.0/system"],
      'spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api GET https://h.example/api/rest/2.0/system'
    ],
    // The method given first counts; two -X say it once; a method REST v2.0 has not is named.
    [
      ["api", "POST", "metadata/search", "-XPOST"],
      'spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api POST metadata/search'
    ],
    [
      ["api", "-X", "POST", "-X", "GET", "metadata/search"],
      'spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api POST metadata/search'
    ],
    [
      ["api", "-X", "PATCH", "metadata/search"],
      'spotpipe: unknown flag -X for "spotpipe api": the method is the first argument, as in spotpipe api POST metadata/search (PATCH is no method REST v2.0 takes: GET, POST, PUT, DELETE; REST v2.0 uses POST for most calls)'
    ]
  ] as const) {
    it.live(`says-what-to-type: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr.split("\n")[0]).toBe(says)
        // One line for the mistake (`-XPOST` is no -P, -O, -S, -T), then the pointer to --help.
        expect(run.stderr.split("\n").length).toBeLessThanOrEqual(2)
      })
    )
  }

  it.live("a-method-without-a-path-still-asks-for-the-path", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["api", "post"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("spotpipe api needs <path>")
    })
  )
})

describe("a connection setting that is missing", () => {
  it.live("points-to-profiles-too", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["metadata"], noConfig)
      expect(run.code).toBe(2)
      expect(run.stderr.split("\n")[0]).toBe(
        "spotpipe: no ThoughtSpot host: pass --host https://your-cluster.thoughtspot.cloud, set THOUGHTSPOT_HOST or save it in a profile (spotpipe config set host URL --profile NAME) and pass --profile NAME (or use --sandbox)"
      )
    })
  )

  it.live("names-the-set-variables-that-look-mistyped-never-their-values", () =>
    Effect.gen(function* () {
      const typos = {
        ...noConfig,
        THOUGHTSPOT_PASWORD: "pw-Qv93",
        THOUGHTSPOT_USER: "ana-Kx2",
        THOUGHTSPOT_URL: "https://url-Wq7.example.com",
        THOUGHTSPOT_SECRET_KEYS: "sk-Jm5",
        THOUGHTSPOT_ORG_ID: "7",
        THOUGHTSPOT_PASSWORD_FILE: "/run/secrets/pw-Zr4"
      }
      const run = yield* runInProcess(["metadata"], typos)
      expect(run.code).toBe(2)
      // An Org variable is warned about on every run: the default Org would be exported instead, without a word.
      expect(run.stderr.split("\n")[0]).toBe(
        "spotpipe: warning: THOUGHTSPOT_ORG_ID is set, but spotpipe reads no such variable: pass --org-id ID (or set org-id in a profile)"
      )
      const line = run.stderr.split("\n").find((l) => l.startsWith("spotpipe: no ThoughtSpot host: "))!
      expect(line).toBeDefined()
      // A secret's file is no password: not "did you mean THOUGHTSPOT_PASSWORD".
      expect(line).toContain(
        "; THOUGHTSPOT_PASSWORD_FILE is set, but spotpipe reads no such variable: pass --password-file PATH"
      )
      expect(line).not.toContain("THOUGHTSPOT_PASSWORD_FILE is set: did you mean")
      expect(line).toContain("; THOUGHTSPOT_PASWORD is set: did you mean THOUGHTSPOT_PASSWORD?")
      expect(line).toContain("; THOUGHTSPOT_USER is set: did you mean THOUGHTSPOT_USERNAME?")
      expect(line).toContain("; THOUGHTSPOT_URL is set: did you mean THOUGHTSPOT_HOST?")
      expect(line).toContain("; THOUGHTSPOT_SECRET_KEYS is set: did you mean THOUGHTSPOT_SECRET_KEY?")
      for (const value of ["pw-Qv93", "ana-Kx2", "url-Wq7", "sk-Jm5", "pw-Zr4"]) expect(run.stderr).not.toContain(value)

      // With the host given, the missing credentials name them too.
      const credentials = yield* runInProcess(["metadata"], { ...typos, THOUGHTSPOT_HOST: "http://127.0.0.1:9" })
      expect(credentials.code).toBe(2)
      const said = credentials.stderr.split("\n").find((l) => l.startsWith("spotpipe: no credentials: "))!
      expect(said).toMatch(/^spotpipe: no credentials: .*save them in a profile/)
      expect(said).toContain("THOUGHTSPOT_USER is set: did you mean THOUGHTSPOT_USERNAME?")
      expect(said).not.toContain("THOUGHTSPOT_URL is set")
    })
  )
})

describe("config unset of a key the profile does not set", () => {
  it.live("says-so-exits-1-as-config-get-and-leaves-the-file", () =>
    Effect.gen(function* () {
      const config = configWith({ p: { host: "https://p.example.com" } })
      const before = NodeFs.readFileSync(config.SPOTPIPE_CONFIG, "utf8")
      const run = yield* runInProcess(["config", "unset", "username", "--profile", "p"], config)
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toBe(
        `spotpipe: profile "p" does not set username (${config.SPOTPIPE_CONFIG}): nothing removed`
      )
      expect(NodeFs.readFileSync(config.SPOTPIPE_CONFIG, "utf8")).toBe(before)
      const get = yield* runInProcess(["config", "get", "username", "--profile", "p"], config)
      expect(get.code).toBe(run.code)

      const removed = yield* runInProcess(["config", "unset", "host", "--profile", "p"], config)
      expect(removed.code, removed.stderr).toBe(0)
      expect(removed.stderr).toContain('profile "p": host removed')
    })
  )
})

describe("--sandbox beside a profile with a host", () => {
  it.live("names-the-profile-flag-not-host", () =>
    Effect.gen(function* () {
      const config = configWith({ sb: { host: "https://sb.example.com" } })
      const run = yield* runInProcess(["metadata", "--sandbox", "--profile", "sb"], config)
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(
        "spotpipe: --sandbox and --profile sb both given: the profile's host (https://sb.example.com) and the sandbox are two clusters; pass only one"
      )
    })
  )

  it.live("and-one-without-a-host-is-refused-too-not-dropped-without-a-word", () =>
    Effect.gen(function* () {
      const config = configWith({ nohost: { username: "tsViewer" } })
      const run = yield* runInProcess(["metadata", "--sandbox", "--profile", "nohost"], config)
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(
        "spotpipe: --sandbox and --profile nohost both given: the sandbox signs in as its own test user, not with a profile's settings; pass only one"
      )
    })
  )
})

describe("a profile's keychain secret that cannot be read", () => {
  it.live("names-the-profile-and-its-reference", () =>
    Effect.gen(function* () {
      const config = configWith({ kc: { host: "http://127.0.0.1:9", username: "ana", secret: "keychain" } })
      // No secret-tool (nor macOS's security) on this PATH.
      const run = yield* runInProcess(["metadata", "--profile", "kc"], { ...config, PATH: tempDir() })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/^spotpipe: profile "kc"'s secret keychain:kc: cannot read the keychain: /)
    })
  )
})

describe("SPOTPIPE_CONFIG naming a folder", () => {
  for (const args of [
    ["metadata", "--host", "http://127.0.0.1:9"],
    ["config", "list"],
    ["config", "set", "host", "https://a.example.com"]
  ]) {
    it.live(`says-to-set-the-variable-to-a-file: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const folder = tempDir()
        const run = yield* runInProcess(args, { SPOTPIPE_CONFIG: folder })
        expect(run.code).toBe(2)
        expect(run.stderr).toBe(
          `spotpipe: SPOTPIPE_CONFIG names the folder ${folder}, not a file: set SPOTPIPE_CONFIG to a file's path (${folder}/config.json, for one)`
        )
        expect(NodeFs.readdirSync(folder)).toEqual([])
      })
    )
  }
})

describe("load into a DuckDB file in a folder that takes no files", () => {
  // /proc exists, but takes no new files, even from root (whom permission bits do not stop).
  it.live("is-a-usage-error-that-says-what-to-do-before-anything-is-read", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["load", tempDir(), "--into", "duckdb:/proc/w.duckdb"], noConfig)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toBe(
        "spotpipe: duckdb:/proc/w.duckdb: cannot create files in the folder /proc (it takes no new files), where a load writes the database file and DuckDB's write-ahead log (.wal) beside it: give a path in a folder you can write to"
      )
    })
  )
})

describe("the DuckDB install hint of an installed spotpipe", () => {
  it("names-the-npm-prefix-spotpipe-was-installed-under", { timeout: 60_000 }, async () => {
    // The test run's build of the package, where `npm install -g --prefix P` puts it.
    const prefix = NodePath.join(tempDir(), "my tools")
    const installed = NodePath.join(prefix, "lib", "node_modules", "spotpipe")
    const pkg = NodePath.dirname(NodePath.dirname(mainPath))
    NodeFs.cpSync(pkg, installed, { recursive: true })
    const bin = NodePath.join(installed, NodePath.relative(pkg, mainPath))
    const into = `duckdb:${NodePath.join(tempDir(), "w.duckdb")}`
    const run = await runNode([bin, "load", tempDir(), "--into", into])
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr.trim()).toBe(
      `spotpipe: loading into DuckDB needs the @duckdb/node-api package (native, so not inside spotpipe), which is not installed: install it beside spotpipe: npm install -g --prefix '${prefix}' @duckdb/node-api@1.5.6-r.1`
    )
  })

  it("is-read-from-the-path-of-a-project-or-windows-install", () => {
    expect(duckDbInstallCommand("/srv/etl/node_modules/spotpipe/dist/main.js", "linux")).toBe(
      "npm install --prefix /srv/etl @duckdb/node-api@1.5.6-r.1"
    )
    expect(
      duckDbInstallCommand("C:\\Users\\ana\\AppData\\Roaming\\npm\\node_modules\\spotpipe\\dist\\main.js", "win32")
    ).toBe("npm install -g --prefix 'C:\\Users\\ana\\AppData\\Roaming\\npm' @duckdb/node-api@1.5.6-r.1")
    // A checkout's sources: no install to name.
    expect(duckDbInstallCommand("/work/spotpipe/apps/export/src/load/DuckDbEngine.ts", "linux")).toBeUndefined()
  })
})

describe("config set secret file: with no such file", () => {
  it.live("is-refused-without-echoing-the-path-which-may-be-the-password", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const config = { SPOTPIPE_CONFIG: NodePath.join(dir, "config.json") }
      const run = yield* runInProcess(["config", "set", "secret", "file:Hunter2!pw", "--profile", "z"], config)
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(
        "spotpipe: secret file:…: that file is not there (nothing was saved; the path is not shown, in case it is the secret itself): create the file first, the secret on one line, and give its path"
      )
      expect(run.stdout).not.toContain("Hunter2")
      expect(NodeFs.existsSync(config.SPOTPIPE_CONFIG)).toBe(false)

      const folder = yield* runInProcess(["config", "set", "secret", `file:${dir}`, "--profile", "z"], config)
      expect(folder.code).toBe(2)
      expect(folder.stderr).toContain("that path is a folder, not a file (nothing was saved)")

      const file = NodePath.join(dir, "pw")
      NodeFs.writeFileSync(file, "Hunter2!pw\n", { mode: 0o600 })
      const saved = yield* runInProcess(["config", "set", "secret", `file:${file}`, "--profile", "z"], config)
      expect(saved.code, saved.stderr).toBe(0)
      expect(JSON.parse(NodeFs.readFileSync(config.SPOTPIPE_CONFIG, "utf8")).profiles.z.secret).toBe(`file:${file}`)
    })
  )
})

describe("a mistyped value or command", () => {
  for (const [args, says] of [
    [
      ["answer", "A", "--format", "csvv"],
      'spotpipe: unknown format "csvv": use --format csv, ndjson or parquet; did you mean "csv"?'
    ],
    [
      ["answer", "A", "--ddl", "duckdb,postgress"],
      'spotpipe: unknown --ddl dialect postgress: use any of postgres,duckdb,snowflake,bigquery; did you mean "postgres"?'
    ],
    [
      ["load", "./landing", "--into", "warehouse.duckdb"],
      "spotpipe: unknown load target: use --into duckdb:FILE or --into postgresql://user@host:port/database; did you mean --into duckdb:warehouse.duckdb?"
    ],
    [
      ["load", "./landing", "--into", "duckbd:w.duckdb"],
      "spotpipe: unknown load target: use --into duckdb:FILE or --into postgresql://user@host:port/database; did you mean --into duckdb:w.duckdb?"
    ],
    // A URL may hold a password: its scheme is corrected, the rest never repeated.
    [
      ["load", "./landing", "--into", "postgress://ana:Pw-77x@db/w"],
      "spotpipe: unknown load target: use --into duckdb:FILE or --into postgresql://user@host:port/database; did you mean postgresql://…?"
    ],
    [["answer", "A", "--debug"], 'spotpipe: unknown flag --debug for "spotpipe answer"; did you mean --verbose?'],
    [["completion", "bash"], 'spotpipe: there is no completion command: run "spotpipe --completions bash"'],
    [["completions", "zsh"], 'spotpipe: there is no completions command: run "spotpipe --completions zsh"'],
    [
      ["completion"],
      'spotpipe: there is no completion command: run "spotpipe --completions bash" (or zsh, fish, powershell)'
    ]
  ] as const) {
    it.live(`gets-a-suggestion: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr.split("\n")[0]).toBe(says)
      })
    )
  }
})

describe("a liveboard name not found by ls visualizations", () => {
  it.live("points-to-spotpipe-ls-liveboards", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["ls", "visualizations", "Sales Overviw", "--sandbox"], noConfig)
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(
        'spotpipe: no liveboard "Sales Overviw" found, or this user cannot see it: check the GUID or name (spotpipe ls liveboards lists them) or ask for access; did you mean "Sales Overview"?'
      )
    })
  )
})
