/**
 * The `spotpipe` command as a stranger installs it: `pnpm pack:cli` packs it, npm installs the tarball globally
 * into a temp prefix outside the repository (offline, its registry on a closed loopback port: the package has no
 * dependencies, so nothing needs fetching, and an attempt would fail the test), and the installed `spotpipe` runs
 * from fresh folders with nothing of the workspace in reach: help, version, the demo, relative paths, the READMEs'
 * job files and usage examples, DuckDB installed beside it as the CLI says, shell completions, the start-up
 * settings it gives itself (and the worker-thread default they bring), and an older Node turned away.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { isBuiltin } from "node:module"
import { availableParallelism, tmpdir } from "node:os"
import { delimiter, dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { leanEnv, leanFlags, missingSettings, wantsLeanSettings } from "../../../apps/export/bin/leanStart.js"
import { minimumNode, unsupportedNode } from "../../../apps/export/bin/nodeVersion.js"
import { loadExternals } from "../../../apps/export/scripts/bundle.ts"
import { PackError, shippedReadme } from "../../../apps/export/scripts/packCli.ts"
import { leanMemory, leanMemoryEnv } from "../../../apps/export/src/cli/NodeFlags.ts"
import { filesUnder, run, runToEnd, strangerEnv } from "../src/scratch.ts"

const repoRoot = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)))
const app = join(repoRoot, "apps", "export")
const { version } = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { version: string }

/** The first ```json block after the line that starts with `heading` in a README. */
const jsonBlockAfter = (readme: string, heading: string): string => {
  const at = readme.search(new RegExp(`^${heading}`, "m"))
  const block = at === -1 ? undefined : readme.slice(at).match(/^```json\n([\s\S]*?)^```$/m)?.[1]
  if (block === undefined) throw new Error(`no JSON block after "${heading}"`)
  return block
}

/** The targets (without their anchors) of a Markdown text's links to files: not URLs, not anchors of its own. */
const fileLinks = (markdown: string): Array<string> =>
  [...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/i.test(target))

/** The folder of package `name` as Node finds it from `from` (`node_modules` in it and each ancestor), if any. */
const installedPackage = (from: string, name: string): string | undefined => {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name)
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate)
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * `name` and every package it needs that this machine has (its dependencies, and the optional ones installed here:
 * a native package's binary for this platform), from the workspace's installed copies: name → folder.
 */
const installedClosure = (name: string, from: string, into = new Map<string, string>()): Map<string, string> => {
  const dir = installedPackage(from, name)
  if (dir === undefined || into.has(name)) return into
  into.set(name, dir)
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
    installedClosure(dep, dir, into)
  }
  return into
}

/** Every `node` on PATH (and /usr/bin's) that spotpipe must turn away, by the launcher's own rule. */
const oldNodes = async (
  env: NodeJS.ProcessEnv
): Promise<Array<{ readonly path: string; readonly version: string }>> => {
  const dirs = new Set([...(process.env["PATH"] ?? "").split(delimiter).filter((dir) => dir !== ""), "/usr/bin"])
  const found: Array<{ readonly path: string; readonly version: string }> = []
  for (const dir of dirs) {
    const path = join(dir, "node")
    const ran = await runToEnd(path, ["--version"], tmpdir(), env)
    const v = ran.stdout.trim().replace(/^v/, "")
    if (ran.code === 0 && unsupportedNode(v) !== undefined) found.push({ path, version: v })
  }
  return found
}

describe("the launcher's start-up settings", () => {
  it("are the ones the CLI is tuned for (NodeFlags)", () => {
    expect(leanFlags).toEqual(leanMemory)
    expect(leanEnv).toEqual(leanMemoryEnv)
  })

  it("are wanted by every command but those that move no export data", () => {
    for (const args of [["answer", "x"], ["--log-level", "debug", "run", "job.json"], ["demo"], [], ["--version"]]) {
      expect(wantsLeanSettings(args)).toBe(true)
    }
    for (const args of [
      ["load", "run"],
      ["--quiet", "load", "run"],
      ["ls", "answers"],
      ["config", "list"],
      ["auth", "status"],
      ["api", "GET", "system"],
      ["merge", "a"]
    ]) {
      expect(wantsLeanSettings(args)).toBe(false)
    }
  })

  it("a re-launch adds only what the caller did not set, to any value", () => {
    expect(missingSettings([], {})).toEqual({ flags: leanFlags, env: leanEnv })
    expect(missingSettings([...leanFlags], { ...leanEnv })).toEqual({ flags: [], env: {} })
    expect(missingSettings(["--max-semi-space-size=64"], { MALLOC_MMAP_THRESHOLD_: "65536" })).toEqual({
      flags: ["--heap-growing-percent=25"],
      env: {}
    })
    expect(missingSettings([], { NODE_OPTIONS: "--enable-source-maps --max-semi-space-size=16" })).toEqual({
      flags: ["--heap-growing-percent=25"],
      env: leanEnv
    })
  })
})

describe("the README the package ships", () => {
  it("links to files of the checkout as they are; in the package, those it does not ship are named in the repository", () => {
    const source = readFileSync(join(app, "README.md"), "utf8")
    // In the checkout every link to a file leads to one.
    expect(fileLinks(source).filter((target) => !existsSync(join(app, target)))).toEqual([])
    // A package that holds examples/ and nothing of the repository besides.
    const pkg = mkdtempSync(join(tmpdir(), "spotpipe-readme-"))
    try {
      cpSync(join(app, "examples"), join(pkg, "examples"), { recursive: true })
      const shipped = shippedReadme(source, pkg, repoRoot)
      expect(fileLinks(shipped).filter((target) => target.startsWith("../"))).toEqual([])
      expect(shipped).toContain("[`examples/`](examples/)")
      expect(shipped).toContain(
        'Measured in BENCHMARKS.md (section "Warehouse loads") in the spotpipe source repository.'
      )
      expect(shipped).toContain("(see BENCHMARKS.md in the spotpipe source repository)")
      // A file of apps/export the package leaves out is named by its path in the repository, the text kept.
      expect(
        shippedReadme("the [CLI](src/cli/Cli.ts) or [`apps/export/src/cli/Cli.ts`](./src/cli/Cli.ts)", pkg, repoRoot)
      ).toBe(
        "the CLI (apps/export/src/cli/Cli.ts in the spotpipe source repository) or apps/export/src/cli/Cli.ts in the spotpipe source repository"
      )
      // A link to nothing, or to a section its file does not have, fails the pack rather than ship.
      expect(() => shippedReadme("[x](../../NO-SUCH.md)", pkg, repoRoot)).toThrow(PackError)
      expect(() => shippedReadme("[x](../../BENCHMARKS.md#no-such-section)", pkg, repoRoot)).toThrow(
        "apps/export/README.md links to ../../BENCHMARKS.md#no-such-section: BENCHMARKS.md has no such section"
      )
    } finally {
      rmSync(pkg, { recursive: true, force: true })
    }
  })
})

describe("the packed spotpipe command, installed with npm -g outside the workspace", () => {
  let scratch = ""
  let env: NodeJS.ProcessEnv = {}
  let installed = ""
  let globalBin = ""
  let tarball = ""
  const folders: Array<string> = []
  /** A fresh, empty folder to run the command from. */
  const freshFolder = (): string => {
    const dir = mkdtempSync(join(scratch, "cwd-"))
    folders.push(dir)
    return dir
  }
  /** Runs the installed `spotpipe` by name, as a shell finds it on PATH. */
  const spotpipe = (args: ReadonlyArray<string>, cwd: string, extra: NodeJS.ProcessEnv = {}) =>
    runToEnd("spotpipe", args, cwd, { ...env, ...extra })

  beforeAll(async () => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "spotpipe-cli-")))
    if (!relative(repoRoot, scratch).startsWith("..")) throw new Error(`${scratch} is inside the repository`)
    const stranger = strangerEnv(scratch)
    const prefix = join(scratch, "global")
    // The global bin folder first, then this Node (the shebang's `env node` takes the first `node` on PATH).
    env = {
      ...stranger,
      PATH: [join(prefix, "bin"), dirname(process.execPath), stranger["PATH"] ?? ""].join(delimiter)
    }

    await run(process.execPath, [join(app, "scripts", "packCli.ts")], repoRoot, process.env)
    tarball = join(repoRoot, "packs", `spotpipe-${version}.tgz`)
    await run(
      "npm",
      ["install", "--global", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball],
      scratch,
      env
    )
    installed = join(prefix, "lib", "node_modules", "spotpipe")
    globalBin = join(prefix, "bin")
  })

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
  })

  it("the package is the bundle, the launcher, README, LICENSE and the README's examples, with a bin, engines and no dependencies but DuckDB as an optional peer", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))
    expect(manifest).toMatchObject({
      name: "spotpipe",
      version,
      license: "MIT",
      bin: { spotpipe: "bin/spotpipe.js" },
      engines: { node: `>=${minimumNode}` }
    })
    expect(manifest.dependencies).toBeUndefined()
    expect(Object.keys(manifest.peerDependencies ?? {})).toEqual(["@duckdb/node-api"])
    expect(manifest.peerDependenciesMeta).toEqual({ "@duckdb/node-api": { optional: true } })
    expect(manifest.private).toBeUndefined()
    const files = filesUnder(installed)
    const stray = files.filter(
      (file) =>
        !["package.json", "README.md", "LICENSE", "bin/spotpipe.js", "bin/nodeVersion.js", "bin/leanStart.js"].includes(
          file
        ) &&
        !/^dist\/[\w-]+\.js$/.test(file) &&
        !file.startsWith("examples/")
    )
    expect(stray).toEqual([])
    // The README links to `examples/`: where it is read from, the package, it is there, as in the checkout.
    const examples = filesUnder(join(app, "examples"))
    expect(examples.length).toBeGreaterThan(0)
    expect(files.filter((file) => file.startsWith("examples/"))).toEqual(examples.map((file) => `examples/${file}`))
    for (const file of examples) {
      expect(readFileSync(join(installed, "examples", file), "utf8")).toBe(
        readFileSync(join(app, "examples", file), "utf8")
      )
    }
    // Every link of the README to a file leads to one of the package: none leaves it (where it is installed,
    // nothing of the repository is there to link to).
    const readme = readFileSync(join(installed, "README.md"), "utf8")
    const local = fileLinks(readme)
    expect(local.length).toBeGreaterThan(0)
    expect(
      local.filter(
        (target) =>
          relative(installed, resolve(installed, target)).startsWith("..") || !existsSync(join(installed, target))
      )
    ).toEqual([])
    expect(files).toContain("dist/RunMain.js")
    expect(files).toContain("dist/TranscodeWorker.js")
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toBe(readFileSync(join(repoRoot, "LICENSE"), "utf8"))
    // The README is the checkout's, but for its links that leave the package, which name the file in the repository.
    const source = readFileSync(join(app, "README.md"), "utf8").split("\n")
    const shipped = readme.split("\n")
    expect(shipped.length).toBe(source.length)
    const changed = source.flatMap((line, i) => (line === shipped[i] ? [] : [i]))
    expect(changed.length).toBeGreaterThan(0)
    for (const i of changed) {
      expect(source[i]).toMatch(/\]\(\.\.\//)
      expect(shipped[i]).toContain(" in the spotpipe source repository")
    }

    const code = files
      .filter((file) => file.startsWith("dist/"))
      .map((file) => readFileSync(join(installed, file), "utf8"))
    // esbuild heads each bundled module with a comment naming its path: the dependencies are inside.
    const modules = code.flatMap((text) => [...text.matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm)].map((m) => m[1]!))
    for (const dep of ["undici", "papaparse", "pg", "effect", "@effect/platform-node"]) {
      expect(
        modules.some((path) => path.includes(`/node_modules/${dep}/`)),
        dep
      ).toBe(true)
    }
    // Every module it loads is one of its own files or a Node built-in: esbuild writes imports as whole
    // statements, `import("…")` for the chunks loaded on demand, and `__require("…")` for the CommonJS inside.
    const specifiers = code.flatMap((text) =>
      [
        /^(?:import|export)\s[^;]*?\sfrom\s*"([^"]+)";$/gm,
        /^import\s*"([^"]+)";$/gm,
        /\bimport\("([^"]+)"\)/g,
        /\b__require\("([^"]+)"\)/g
      ].flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!))
    )
    expect(specifiers.filter((s) => s.startsWith("./")).length).toBeGreaterThan(0)
    expect(specifiers.filter((s) => isBuiltin(s)).length).toBeGreaterThan(0)
    // …but for the two the bundle leaves out on purpose: DuckDB (native; an optional peer `spotpipe load` asks
    // for) and pg's optional native binding, both loaded only when a load needs them.
    expect([...new Set(specifiers.filter((s) => !s.startsWith("./") && !isBuiltin(s)))].sort()).toEqual(
      [...loadExternals].sort()
    )
  })

  it("--help and --version work from any folder", async () => {
    const help = await spotpipe(["--help"], freshFolder())
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toContain("spotpipe <subcommand>")
    for (const command of ["demo", "sandbox", "metadata", "answer", "liveboard", "search", "run"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\s`, "m"))
    }
    const shown = await spotpipe(["--version"], freshFolder())
    expect(shown.stdout.trim()).toBe(`spotpipe v${version}`)
  })

  it("demo writes ./spotpipe-demo into the folder it was called from, with the worker default of a pnpm run", async () => {
    const cwd = freshFolder()
    const ran = await spotpipe(["demo", "--verbose", "--log-format", "json"], cwd)
    expect(ran.code, ran.stderr).toBe(0)
    expect(readdirSync(cwd)).toEqual(["spotpipe-demo"])
    const manifest = JSON.parse(readFileSync(join(cwd, "spotpipe-demo", "manifest.json"), "utf8"))
    const expected = [
      "metadata",
      ...Object.keys(fixtures.answers).map((a) => `answer-${a}`),
      ...Object.entries(fixtures.liveboards).flatMap(([lb, { visualizations }]) =>
        visualizations.map((v) => `liveboard-${lb}/${v.name}`)
      )
    ].flatMap((base) => [`${base}.csv`, `${base}.ndjson`, `${base}.parquet`])
    expect(manifest.spotpipe).toBe(version)
    expect(manifest.outputs.map((o: { file: string }) => o.file).sort()).toEqual(expected.sort())
    expect(JSON.parse(ran.stdout).summary.folder).toBe(join(cwd, "spotpipe-demo"))
    // The data logs name the worker threads: one on two cores or more, as `pnpm spotpipe` gives (the malloc
    // setting reached the process), else none.
    const workers = ran.stderr
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((line) => typeof line.pages === "number")
      .map((line) => line.workers ?? 0)
    expect(workers.length).toBeGreaterThan(0)
    expect(new Set(workers)).toEqual(new Set([availableParallelism() >= 2 ? 1 : 0]))
  })

  it("a relative --out is relative to the folder it was called from", async () => {
    const cwd = freshFolder()
    const ran = await spotpipe(["metadata", "--sandbox", "--out", "landing/meta", "--quiet"], cwd)
    expect(ran.code, ran.stderr).toBe(0)
    expect(readdirSync(join(cwd, "landing", "meta")).sort()).toContain("metadata.csv")
    // The demo too, even with INIT_CWD naming another folder (only the checkout's `pnpm spotpipe` reads it).
    const elsewhere = freshFolder()
    const demo = await spotpipe(["demo", "--out", "landing/demo", "--quiet"], cwd, {
      INIT_CWD: elsewhere,
      npm_lifecycle_event: "demo"
    })
    expect(demo.code, demo.stderr).toBe(0)
    expect(readdirSync(join(cwd, "landing", "demo"))).toContain("manifest.json")
    expect(readdirSync(elsewhere)).toEqual([])
  })

  it("the job files the READMEs show run as they are: the top README's with --sandbox, resumed; the CLI README's from its connection variables", async () => {
    // The top README's job file, with the commands it gives for it and --sandbox ("every example below works that
    // way"). Its exports read dates: a data time zone other than the cluster's fails them, exit 1.
    const cwd = freshFolder()
    writeFileSync(
      join(cwd, "nightly.json"),
      jsonBlockAfter(readFileSync(join(repoRoot, "README.md"), "utf8"), "A job file")
    )
    const first = await spotpipe(["run", "nightly.json", "--out", "./landing", "--sandbox", "--quiet"], cwd)
    expect(first.code, first.stderr).toBe(0)
    const resumed = await spotpipe(["run", "nightly.json", "--out", "./landing", "--resume", "--sandbox"], cwd)
    expect(resumed.code, resumed.stderr).toBe(0)
    // A resume of a completed run reads nothing again: every export is skipped.
    const lines = resumed.stdout.split("\n").filter((line) => /^(ok|FAILED)\s/.test(line))
    expect(lines.length, resumed.stdout).toBe(
      JSON.parse(readFileSync(join(cwd, "nightly.json"), "utf8")).exports.length
    )
    for (const line of lines) expect(line).toMatch(/^ok\s.*\(skipped\)$/)

    // The CLI README (the one in the package) names its connection by variables: a sandbox given through them.
    const sandbox = await startSandbox({})
    try {
      const job = jsonBlockAfter(readFileSync(join(installed, "README.md"), "utf8"), "## Batch jobs")
      const names = JSON.parse(job).connection as Record<string, string>
      const dir = freshFolder()
      writeFileSync(join(dir, "job.json"), job)
      const ran = await spotpipe(["run", "job.json", "--out", "./landing", "--quiet"], dir, {
        [names["hostEnv"]!]: sandbox.url,
        [names["usernameEnv"]!]: fixtures.user.username,
        [names["secretKeyEnv"]!]: sandbox.secretKey
      })
      expect(ran.code, ran.stderr).toBe(0)
    } finally {
      await sandbox.close()
    }
  })

  it("every example of the README's usage table that talks to ThoughtSpot works with --sandbox, from one fresh folder", async () => {
    // "Add --sandbox to any command that talks to ThoughtSpot … (every example below works that way)". Left out:
    // the ones that read no cluster (demo, sandbox, merge, load, config) and `run`, whose job file the test above
    // runs.
    const offline = new Set(["demo", "sandbox", "merge", "load", "config", "run"])
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8")
    const examples = readme
      .split("\n")
      .flatMap((line) => line.match(/^\| `[a-z]+.*\| `spotpipe ([^`]+)` \|$/)?.[1] ?? [])
      .map((example) => [...example.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!))
      .filter((args) => !offline.has(args[0]!))
    expect(examples.map((args) => args[0])).toEqual(
      expect.arrayContaining(["metadata", "answer", "liveboard", "search", "audit", "tml", "ls", "api", "auth"])
    )
    const cwd = freshFolder()
    for (const args of examples) {
      const ran = await spotpipe([...args, "--sandbox"], cwd)
      expect(ran.code, `spotpipe ${args.join(" ")} --sandbox: ${ran.stderr}`).toBe(0)
    }
  })

  it("a DuckDB load works once the package the CLI asks for is installed beside it with npm -g, as it says", async () => {
    // A global spotpipe of its own, which the test then adds DuckDB to.
    const prefix = join(scratch, "global-duckdb")
    const withDuck = { ...env, PATH: [join(prefix, "bin"), env["PATH"] ?? ""].join(delimiter) }
    const npmGlobal = (tarballs: ReadonlyArray<string>) =>
      run(
        "npm",
        ["install", "--global", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, ...tarballs],
        scratch,
        withDuck
      )
    await npmGlobal([tarball])
    const cwd = freshFolder()
    const exported = await runToEnd("spotpipe", ["metadata", "--sandbox", "--out", "run", "--quiet"], cwd, withDuck)
    expect(exported.code, exported.stderr).toBe(0)
    const load = ["load", "run", "--into", "duckdb:warehouse.duckdb"]
    const before = await runToEnd("spotpipe", load, cwd, withDuck)
    expect(before.code).not.toBe(0)
    // The command for where spotpipe is installed: the prefix it was installed under.
    const advised = before.stderr.match(/install it beside spotpipe: npm install -g --prefix (\S+) (\S+)$/m)
    expect(advised, before.stderr).not.toBeNull()
    expect(realpathSync(advised![1]!)).toBe(realpathSync(prefix))
    const asked = advised![2]!

    // What npm would fetch for it, packed from the workspace's copies (the registry is out of reach): the package
    // the message names, at the version it names, and what it needs on this platform.
    const closure = installedClosure("@duckdb/node-api", app)
    const api = JSON.parse(readFileSync(join(closure.get("@duckdb/node-api")!, "package.json"), "utf8"))
    expect(`${api.name}@${api.version}`).toBe(asked)
    const deps = mkdtempSync(join(scratch, "duckdb-"))
    for (const [name, dir] of closure) {
      // npm packs a copy: from inside pnpm's store layout it fails ("Exit handler never called").
      const copy = join(deps, "src", name)
      cpSync(dir, copy, { recursive: true })
      await run("npm", ["pack", "--offline", "--ignore-scripts", "--pack-destination", deps, copy], deps, withDuck)
    }
    await npmGlobal(
      readdirSync(deps)
        .filter((file) => file.endsWith(".tgz"))
        .map((file) => join(deps, file))
    )

    const after = await runToEnd("spotpipe", load, cwd, withDuck)
    expect(after.code, after.stderr).toBe(0)
    expect(after.stdout).toMatch(/^loaded 1 table, \d+ rows into duckdb:/m)
    // The summary names the database by its full path.
    expect(after.stdout).toContain(` rows into duckdb:${join(realpathSync(cwd), "warehouse.duckdb")} from run `)
    expect(readdirSync(cwd)).toContain("warehouse.duckdb")
  })

  it("the CLI runs in the process the shell started, with the V8 flags and malloc setting, and keeps a caller's own", async () => {
    // Loaded into every Node this command starts (NODE_OPTIONS survives the re-launch); only the process that
    // runs to its end prints.
    const probe =
      "--import=data:text/javascript,process.on('exit',()=>process.stderr.write('\\nPROBE'+JSON.stringify({pid:process.pid,execArgv:process.execArgv,malloc:process.env.MALLOC_MMAP_THRESHOLD_??null,marker:process.env.SPOTPIPE_RELAUNCHED??null})+'\\n'))"
    const probed = async (extra: NodeJS.ProcessEnv) => {
      const ran = await spotpipe(["--version"], freshFolder(), { NODE_OPTIONS: probe, ...extra })
      expect(ran.code, ran.stderr).toBe(0)
      const lines = ran.stderr.split("\n").filter((line) => line.startsWith("PROBE"))
      expect(lines, ran.stderr).toHaveLength(1)
      return { ...JSON.parse(lines[0]!.slice("PROBE".length)), shellPid: ran.pid }
    }
    const plain = await probed({})
    expect(plain.execArgv).toEqual(expect.arrayContaining(["--max-semi-space-size=32", "--heap-growing-percent=25"]))
    expect(plain.malloc).toBe("1048576")
    // The same process (replaced, not a child): signals and exit codes reach the CLI itself, no wrapper holds memory.
    expect(plain.pid).toBe(plain.shellPid)
    // The marker that stops a second re-launch is not handed on.
    expect(plain.marker).toBeNull()
    const own = await probed({ MALLOC_MMAP_THRESHOLD_: "65536" })
    expect(own.malloc).toBe("65536")
    expect(own.execArgv).toEqual(expect.arrayContaining(["--max-semi-space-size=32", "--heap-growing-percent=25"]))
    // The marker set by the caller: no re-launch at all (and no loop when a setting cannot be had).
    const off = await probed({ SPOTPIPE_RELAUNCHED: "1" })
    expect({ execArgv: off.execArgv, malloc: off.malloc, marker: off.marker }).toEqual({
      execArgv: [],
      malloc: null,
      marker: null
    })
  })

  it.each(["bash", "zsh", "fish"])(
    "--completions %s prints a completion script for spotpipe's commands",
    async (shell) => {
      const ran = await spotpipe(["--completions", shell], freshFolder())
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toMatch(
        shell === "zsh" ? /^#compdef spotpipe/m : shell === "fish" ? /complete -c spotpipe/ : /complete .*spotpipe/
      )
      for (const command of ["demo", "search", "liveboard"]) expect(ran.stdout).toContain(command)
    }
  )

  it(`an older Node than ${minimumNode} gets one line saying which version is needed, and exit 2`, async () => {
    const old = await oldNodes(env)
    if (old.length === 0) {
      // No older Node on this machine to run: the launcher's rule itself, on the versions it must turn away.
      expect(unsupportedNode("20.20.2")).toContain(
        `Node.js ${minimumNode} or later is needed, but this is Node.js 20.20.2`
      )
      expect(unsupportedNode("22.18.9")).toBeDefined()
      expect(unsupportedNode(process.versions.node)).toBeUndefined()
      return
    }
    for (const node of old) {
      // A PATH whose `node` is the old one: the installed command as that machine's shell would start it.
      const dir = mkdtempSync(join(scratch, "old-node-"))
      mkdirSync(join(dir, "bin"))
      symlinkSync(node.path, join(dir, "bin", "node"))
      const ran = await runToEnd("spotpipe", ["--help"], freshFolder(), {
        ...env,
        PATH: [globalBin, join(dir, "bin"), env["PATH"] ?? ""].join(delimiter)
      })
      expect(ran.code, ran.stderr).toBe(2)
      expect(ran.stdout).toBe("")
      expect(ran.stderr).toContain(`Node.js ${minimumNode} or later is needed, but this is Node.js ${node.version}`)
      expect(ran.stderr).toBe(`spotpipe: ${unsupportedNode(node.version)}\n`)
    }
  })
})
