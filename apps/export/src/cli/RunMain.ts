/**
 * The CLI's entry point: `spotpipe` with the process arguments (see `Main.ts`). Loaded by `bin/spotpipe.js` as the
 * entry of the bundle in `dist/`, or from source in a checkout.
 */
import { runCli } from "./Main.ts"

runCli(process.argv.slice(2))
