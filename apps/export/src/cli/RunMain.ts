/**
 * The CLI's entry point: `spotpipe` with the process arguments (see `Main.ts`). The installed `bin/spotpipe.js`
 * loads it as the entry of the bundle in `dist/`; in a checkout `bin/dev.js` (`pnpm spotpipe`) loads this source.
 */
import { runCli } from "./Main.ts"

runCli(process.argv.slice(2))
