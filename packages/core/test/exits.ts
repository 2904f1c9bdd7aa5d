/** Reading a test's `Exit`: its value, or its typed failure; anything else fails the test, naming the cause. */
import { Exit } from "effect"

/** The value of a successful exit. */
export const successOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success: ${String(exit.cause)}`)
  return exit.value
}

/** The typed error of a failed exit (not a defect or an interruption). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
  return reason.error
}
