/**
 * A sampled result (`sampling_ratio` < 1) is said at warning level once per stream, naming the result, so the
 * default logger shows it; `sampled: "quiet"` leaves it to the pages' `Sampled` warnings. Against the sandbox,
 * whose "Sampled Orders" answer reports 0.5 on every page.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Layer, Stream } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { captureLogs } from "./captureLogs.ts"

describe("a sampled result", () => {
  let sandbox: RunningSandbox
  beforeAll(async () => {
    sandbox = await startSandbox({ rows: 500 })
  })
  afterAll(async () => {
    await sandbox?.close()
  })

  const read = (sampled: "warn" | "quiet" | undefined) =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const pages = yield* Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
        Stream.runCollect(
          client.answerData({
            metadataIdentifier: "Sampled Orders",
            pageSize: 100,
            ...(sampled === undefined ? {} : { sampled })
          })
        )
      ).pipe(
        Effect.provide(
          Layer.provideMerge(
            Layer.orDie(
              ThoughtSpotClient.layerNode({
                host: sandbox.url,
                auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
              })
            ),
            logs.layer
          )
        )
      )
      return { pages, lines: logs.lines }
    })

  it.live("is-logged-at-warning-level-once-per-stream-naming-the-answer", () =>
    Effect.gen(function* () {
      const { pages, lines } = yield* read(undefined)
      expect(pages.length).toBeGreaterThan(1)
      for (const page of pages) expect(page.warnings.map((w) => w._tag)).toEqual(["Sampled"])
      const said = lines.filter((l) => l.text.includes("sampl"))
      expect(said).toEqual([
        {
          level: "Warn",
          text: 'answerData "Sampled Orders": ThoughtSpot returned a sample (sampling_ratio 0.5), not the complete result'
        }
      ])
      expect(pages[0]!.warnings[0]!.message).toBe(said[0]!.text)
    })
  )

  it.live("quiet-leaves-it-to-the-pages-warnings", () =>
    Effect.gen(function* () {
      const { pages, lines } = yield* read("quiet")
      for (const page of pages) expect(page.warnings.map((w) => w._tag)).toEqual(["Sampled"])
      expect(lines.filter((l) => l.text.includes("sampl"))).toEqual([])
    })
  )
})
