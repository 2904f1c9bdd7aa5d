/** Standard input, read to its end: a request body (`api --input -`, `-F key=@-`) or a password (`--password-file -`). */
import { Effect } from "effect"

/** The bytes of stdin, read to its end; read it once per process (a second read gets nothing). */
export const readStdin: Effect.Effect<Buffer> = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
})

/** Whether stdin is a terminal: nothing was piped in, and reading it would wait for typing. */
export const stdinIsTerminal = (): boolean => process.stdin.isTTY === true
