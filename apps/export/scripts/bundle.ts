/**
 * Builds the bundled CLI: `src/cli/RunMain.ts` and everything it loads (Effect, undici, our packages) as a few ES
 * modules in `apps/export/dist/`, and the transcode worker as one more. Node then starts the CLI from a handful of
 * files instead of ~480 modules, each resolved, read and linked: `--help` ~0.25–0.45 → ~0.13 s here (measured).
 * A build takes ~0.4–0.7 s on 2 cores.
 *
 * The installed command (`pnpm pack:cli`, packCli.ts) runs this bundle as it is. In a checkout it is built after
 * every install (the root `postinstall`), by `pnpm bundle`, before `pnpm bench`, and once per test run
 * (apps/export/test/support/builtCli.ts, into a folder of its own); `pnpm spotpipe` runs the sources instead
 * (bin/dev.js), so an edit never meets an older bundle there.
 *
 * The transcode worker is bundled on its own; it loads no Effect. Code is not minified: stack traces stay readable.
 *
 * Other entry points can be built the same way in place of the CLI's (`bundle.ts <dir> Name=path/to/entry.ts …`):
 * the test runs build their step-probe CLIs so (apps/export/test/support/builtCli.ts), which the package never
 * ships.
 */
import { mkdirSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { build, type Metafile, type Plugin } from "esbuild"

const root = fileURLToPath(new URL("../../../", import.meta.url))
/** The bundled entry module's name in the bundle directory (bin/spotpipe.js loads it). */
export const entryName = "RunMain.js"

/** Where the bin looks for the bundle in a checkout. */
export const defaultOutDir = fileURLToPath(new URL("../dist/", import.meta.url))

/** Bundled CommonJS (undici) calls `require` for Node's own modules, which an ES module must make itself. */
const banner = {
  js: 'import { createRequire as __spotpipeRequire } from "node:module";\nconst require = __spotpipeRequire(import.meta.url);'
}

/**
 * Effect's `@effect/platform-node/Undici` re-exports undici (CommonJS) with `export *` and is loaded with
 * `import()`. In a chunk of its own that re-export keeps only `default` (an ES module cannot list a CommonJS
 * module's names statically), and `new Undici.Agent` fails. So it is answered with a module that lists them:
 * the names undici's own exports object has, read here at build time.
 */
const undiciReexport: Plugin = {
  name: "undici-reexport",
  setup: (b) => {
    b.onResolve({ filter: /^\.\/Undici\.js$/ }, (args) =>
      args.importer.includes("@effect/platform-node/") ? { path: "undici", namespace: "undici-reexport" } : undefined
    )
    b.onLoad({ filter: /.*/, namespace: "undici-reexport" }, () => {
      const resolveDir = fileURLToPath(new URL("./", import.meta.resolve("@effect/platform-node/NodeHttpClient")))
      const undici = createRequire(`${resolveDir}/`)("undici") as Record<string, unknown>
      const names = Object.keys(undici).filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name))
      return {
        contents: `import undici from "undici"\nexport default undici\nexport const { ${names.join(", ")} } = undici\n`,
        loader: "js",
        resolveDir
      }
    })
  }
}

/** Left outside the bundle: DuckDB is native (a `.node` binary per platform), and pg's optional native binding. */
export const loadExternals = ["@duckdb/node-api", "pg-native"] as const

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  absWorkingDir: root,
  banner,
  metafile: true,
  logLevel: "warning"
} as const

/** The shipped CLI's entry points: module name in the bundle directory → source, relative to the repository. */
export const cliEntries: Readonly<Record<string, string>> = {
  [entryName.replace(/\.js$/, "")]: "apps/export/src/cli/RunMain.ts"
}

/** What esbuild read and wrote for the CLI and for the worker (`pnpm pack:cli` checks what stayed outside). */
export interface Built {
  readonly cli: Metafile
  readonly worker: Metafile
}

/**
 * Builds the bundle of `entries` (the CLI's by default) into `outDir` (emptied first), with the workers beside them:
 * the engine starts its workers from the folder its own module is in.
 */
export const bundle = async (
  outDir: string = defaultOutDir,
  entries: Readonly<Record<string, string>> = cliEntries
): Promise<Built> => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const cli = await build({
    ...common,
    entryPoints: { ...entries },
    // What is loaded on demand (`import()`: the sandbox, undici, pg for loads) stays in chunks of its own.
    splitting: true,
    // Native: `spotpipe load --into duckdb:…` imports it at run time and says what to install when it is missing.
    external: [...loadExternals],
    outdir: outDir,
    plugins: [undiciReexport]
  })
  const worker = await build({
    ...common,
    entryPoints: {
      TranscodeWorker: "apps/export/src/engine/TranscodeWorker.ts",
      ParquetWorker: "apps/export/src/engine/ParquetWorker.ts"
    },
    outdir: outDir
  })
  return { cli: cli.metafile, worker: worker.metafile }
}

if (import.meta.main) {
  const started = performance.now()
  const [outDir = defaultOutDir, ...named] = process.argv.slice(2)
  const entries = named.map((arg) => arg.split("="))
  if (entries.some((entry) => entry.length !== 2 || entry[0] === "" || entry[1] === "")) {
    console.error("bundle: expected [out dir] [Name=path/to/entry.ts …]")
    process.exit(2)
  }
  await bundle(outDir, entries.length === 0 ? cliEntries : Object.fromEntries(entries))
  console.log(`spotpipe bundle built in ${Math.round(performance.now() - started)} ms`)
}
