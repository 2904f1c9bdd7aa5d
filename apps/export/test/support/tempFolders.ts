/**
 * Temp folders of one test file, removed once its tests (or those of the `describe` it is called in) are done.
 * The run's own temp folder (test/support/runTempFolder.ts) takes whatever a test leaves at the end of the run;
 * this keeps a long run from piling up the folders of every file until then.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll } from "vitest"

/**
 * Call at the top of a test file (or of a `describe`): returns a maker of fresh folders named `prefix…` in the temp
 * folder, all removed after the file's (or the describe's) tests.
 */
export const tempFolders = (prefix: string): (() => string) => {
  const made: Array<string> = []
  afterAll(() => {
    for (const dir of made.splice(0)) NodeFs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  })
  return () => {
    const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
