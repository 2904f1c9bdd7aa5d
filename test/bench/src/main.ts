/**
 * `pnpm bench [name…]`: runs every `*.bench.ts` beside this file (or the named ones) one after another,
 * each in its own Node process so that peak RSS figures do not bleed into each other.
 * Each bench prints its own table; this runner prints the machine facts once, first.
 */
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.slice(0, -".bench.ts".length))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort()

if (benches.length === 0) {
  console.error(
    `no bench matches ${wanted.join(", ")}; available: ${readdirSync(here)
      .filter((f) => f.endsWith(".bench.ts"))
      .join(", ")}`
  )
  process.exit(2)
}

const cpu = cpus()
console.log(
  `machine: ${cpu[0]?.model ?? "unknown cpu"} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `node ${process.version}, ${process.platform}/${process.arch}`
)
console.log(`rerun: pnpm bench ${benches.length === 1 ? benches[0] : "[" + benches.join("|") + "]"}\n`)

let failed = 0
for (const name of benches) {
  console.log(`── ${name} ─────────────────────────────────────────`)
  const result = spawnSync(process.execPath, ["--expose-gc", join(here, `${name}.bench.ts`)], { stdio: "inherit" })
  if (result.status !== 0) {
    failed++
    console.log(`bench ${name} exited with ${result.status ?? result.signal}`)
  }
  console.log()
}
process.exit(failed === 0 ? 0 : 1)
