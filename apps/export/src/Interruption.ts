/**
 * What the CLI says when a run is interrupted (Ctrl-C, SIGTERM, SIGHUP): one line that nothing half-written was
 * published (a load: that the table being loaded was rolled back), and, for a batch run or a single export given `--resume`, the command that continues it. The command being run registers that hint
 * here once it knows it (the job file, `--out`, `--shard`), and a load what it leaves; the program (cli/Program.ts)
 * prints both lines after every finalizer has run, so they come last and in that order. It sits beside the other
 * shared modules at the app's root, as the commands and the load both write to it.
 */
import { Context, type Effect } from "effect"

/** A mutable cell for the resume hint of the run in progress. */
export interface ResumeHint {
  current: string | undefined
  /** What an interruption left, when it is not the export's "no partial file was published" (a load's). */
  left?: string
}

/** The run's {@link ResumeHint}; the program provides a fresh one per run. */
export const ResumeHint = Context.Reference<ResumeHint>("spotpipe/ResumeHint", {
  defaultValue: () => ({ current: undefined })
})

/** Sets the command that continues this run, shown if it is interrupted. */
export const setResumeHint = (command: string): Effect.Effect<void> =>
  ResumeHint.useSync((hint) => {
    hint.current = command
  })

/** Says what an interruption from now on leaves (a load: its tables). */
export const setInterruptedLeft = (left: string): Effect.Effect<void> =>
  ResumeHint.useSync((hint) => {
    hint.left = left
  })

/** The lines printed on stderr after an interruption. */
export const interruptedLines = (hint: ResumeHint): ReadonlyArray<string> => [
  `spotpipe: interrupted; ${hint.left ?? "no partial file was published"}`,
  ...(hint.current === undefined ? [] : [`run "${hint.current}" to continue`])
]

/** What a command stopped before it began says (a signal while the CLI was still loading): it did nothing. */
export const interruptedBeforeStart = "spotpipe: interrupted before it began; it wrote, loaded and changed nothing"

/** Quotes a command-line word for a POSIX shell when it needs it (`job file.json` → `'job file.json'`). */
export const shellWord = (word: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
