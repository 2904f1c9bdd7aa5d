/**
 * `spotpipe` held the first time an output reaches a named step of the engine until the test lets it go:
 * `node PauseAtStep.js page-written /tmp/hold run job.json …` creates the file `/tmp/hold` there and waits while it
 * exists. A test starts another run while this one is held, at a known point, rather than hoping a slow server
 * keeps it busy long enough. The tests run it as the test run bundled it (builtCli.ts: `pauseAtStepPath` of
 * runCli.ts); it runs from source too. The hook is a layer this entry point provides; the shipped CLI has none.
 */
import * as NodeFs from "node:fs"
import { enableCompileCache } from "node:module"

// As the installed launcher does: the modules loaded below compile from Node's on-disk cache after the first run.
enableCompileCache()
const { runCli, StepProbe } = await import("../../src/index.ts")
const { Effect, Layer } = await import("effect")

const [step = "", hold = "", ...args] = process.argv.slice(2)
if (step === "" || hold === "") {
  process.stderr.write(`PauseAtStep: expected <step> <hold file> before the CLI's arguments\n`)
  process.exit(2)
}
let held = false
runCli(
  args,
  Layer.succeed(StepProbe, (at) =>
    at !== step || held
      ? Effect.void
      : Effect.promise(async () => {
          held = true
          NodeFs.writeFileSync(hold, String(process.pid))
          while (NodeFs.existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 20))
        })
  )
)
