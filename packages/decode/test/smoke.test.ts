import { it } from "@effect/vitest"
import { Effect } from "effect"
import { expect } from "vitest"
import { placeholder } from "../src/index.ts"

it.effect("smoke", () => Effect.sync(() => expect(placeholder).toBe(1)))
