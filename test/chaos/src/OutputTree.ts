/**
 * Reads an output directory into a map of relative path → bytes, for byte-for-byte comparison of runs, and
 * lists what should never be left behind (temp files, the resume state directory).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { filesIn } from "../../../apps/export/test/support/Sandboxes.ts"

/** Every file under `dir`, hidden ones included: relative path → content (none when `dir` does not exist). */
export const readTree = (dir: string): Map<string, Buffer> => (NodeFs.existsSync(dir) ? filesIn(dir) : new Map())

/** The data files of a tree (everything but manifests). */
export const dataFiles = (tree: Map<string, Buffer>): Map<string, Buffer> =>
  new Map([...tree].filter(([name]) => !NodePath.basename(name).startsWith("manifest")))

/** Paths that should not exist after a completed run: hidden files and folders (temp files, resume state). */
export const strays = (tree: Map<string, Buffer>): ReadonlyArray<string> =>
  [...tree.keys()].filter((name) => name.split(NodePath.sep).some((part) => part.startsWith(".")))

/** Names of files whose bytes differ between two trees, or that only one has. */
export const differences = (a: Map<string, Buffer>, b: Map<string, Buffer>): ReadonlyArray<string> => {
  const names = new Set([...a.keys(), ...b.keys()])
  return [...names].filter((name) => {
    const x = a.get(name)
    const y = b.get(name)
    return x === undefined || y === undefined || !x.equals(y)
  })
}
