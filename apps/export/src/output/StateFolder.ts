/**
 * The names in an output folder's state directory (`.spotpipe-state/`): each output's resume state is a few files
 * named after the output's path, one suffix each. Written by the engine's checkpoints (engine/Checkpoint.ts) and the
 * Parquet writer; read back by `--resume`, and by merge to tell an unfinished run from an empty folder.
 */
import { createHash } from "node:crypto"
import { Effect, FileSystem, type Path } from "effect"

/** The suffixes an output's state adds to its encoded name ({@link stateFiles}; `.partial.parquet`: the Parquet writer's). */
export const stateSuffixes = [".checkpoint.json", ".partial.parquet", ".partial", ".forced"] as const

// The longest encoded name kept as it is: with the longest suffix the state adds (a checkpoint's temp file,
// `.<base>.checkpoint.json.<pid>-<8 hex>.tmp`, 38 bytes more) it stays under the 255 bytes a file name may have.
const maxEncoded = 200

/** File names of an output's resume state inside the state directory. */
export const stateFiles = (stateDir: string, file: string, path: Path.Path) => {
  // One flat directory; the output's relative path is encoded so that names from subdirectories cannot clash. A
  // long one (a name of 150 bytes in Japanese is 450 encoded; a liveboard's folder and file) is cut and made unique
  // by a hash of the whole path, the same on every run.
  const encoded = encodeURIComponent(file)
  const base =
    encoded.length <= maxEncoded
      ? encoded
      : `${encoded.slice(0, 150)}~${createHash("sha256").update(file, "utf8").digest("hex").slice(0, 32)}`
  return {
    checkpoint: path.join(stateDir, `${base}.checkpoint.json`),
    partial: path.join(stateDir, `${base}.partial`),
    /**
     * Present while a `--force` run that meant to replace the output has not recorded it in its manifest: the
     * file there may still be an earlier run's, which an older manifest vouches for, so `--resume` must not keep it.
     */
    forced: path.join(stateDir, `${base}.forced`)
  }
}

/** An encoded state name as the output's path, as far as it decodes (a long one is cut, see {@link stateFiles}). */
export const shownName = (base: string): string => {
  try {
    return decodeURIComponent(base)
  } catch {
    return base
  }
}

/** The encoded output names of the state in `stateDir`, sorted; none when it cannot be read (see {@link stateFiles}). */
export const stateBases = (stateDir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const names = yield* fs.readDirectory(stateDir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const bases = new Set<string>()
    for (const name of names) {
      const suffix = stateSuffixes.find((s) => name.endsWith(s))
      // Hidden names are temp files (the lock removes those of dead processes).
      if (suffix !== undefined && !name.startsWith(".")) bases.add(name.slice(0, -suffix.length))
    }
    return [...bases].sort()
  })
