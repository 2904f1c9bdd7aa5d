/** A terminal for in-process runs of the CLI's prompts: scripted keys in, what is shown kept. */
import { type Cause, Effect, Layer, Option, Queue, Terminal } from "effect"

/** A terminal whose keys are `keys`, in order, its input ending after the last (as a real one ends on a quit key). */
export const scriptedTerminal = (keys: ReadonlyArray<Terminal.UserInput>, shown: Array<string> = []) =>
  Layer.succeed(Terminal.Terminal)(
    Terminal.make({
      columns: Effect.succeed(80),
      rows: Effect.succeed(24),
      size: Effect.flatMap(Queue.make<Terminal.Size, Cause.Done>(), (queue) =>
        Effect.as(Queue.offer(queue, { columns: 80, rows: 24 }), queue)
      ),
      readInput: Effect.gen(function* () {
        const queue = yield* Queue.make<Terminal.UserInput, Cause.Done>()
        yield* Queue.offerAll(queue, keys)
        yield* Queue.end(queue)
        return queue
      }),
      readLine: Effect.fail(new Terminal.QuitError({})),
      display: (text) => Effect.sync(() => void shown.push(text))
    })
  )

/** The key `name` (with `ctrl`, or typing `input`). */
export const key = (
  name: string,
  options: { readonly ctrl?: boolean; readonly input?: string } = {}
): Terminal.UserInput => ({
  input: Option.fromUndefinedOr(options.input),
  key: { name, ctrl: options.ctrl === true, meta: false, shift: false }
})

/** The keys that type `text`. */
export const typed = (text: string) => [...text].map((c) => key(c, { input: c }))

/** Runs `effect` with stdin, stdout and stderr taken for terminals (`isTTY`), as in an interactive session. */
export const onTerminals = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const streams = [process.stdin, process.stdout, process.stderr]
  const before = streams.map((s) => Object.getOwnPropertyDescriptor(s, "isTTY"))
  return Effect.acquireUseRelease(
    Effect.sync(() => {
      for (const s of streams) Object.defineProperty(s, "isTTY", { value: true, configurable: true })
    }),
    () => effect,
    () =>
      Effect.sync(() =>
        streams.forEach((s, i) => {
          const own = before[i]
          if (own === undefined) delete (s as { isTTY?: boolean }).isTTY
          else Object.defineProperty(s, "isTTY", own)
        })
      )
  )
}
