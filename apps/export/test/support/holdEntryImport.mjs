/**
 * Holds a `spotpipe` process as it starts: `node --import ./holdEntryImport.mjs bin/spotpipe.js …` with
 * `SPOTPIPE_HOLD_ENTRY_IMPORT=<file>` stops the first module the entry point (RunMain.js) imports from being found
 * until the test removes that file, which appears once the hold begins. So a signal can be sent while the CLI is
 * still loading, at a known point, rather than after a guessed delay. The hooks run off the main thread
 * (`module.register`), which stays free to take signals meanwhile.
 */
import { register } from "node:module"

register("./holdEntryImportHooks.mjs", import.meta.url, {
  data: { hold: process.env["SPOTPIPE_HOLD_ENTRY_IMPORT"] }
})
