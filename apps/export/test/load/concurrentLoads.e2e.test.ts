/**
 * Two loads of the same run into the same PostgreSQL table at the same moment, on a real multi-backend server:
 * the second waits for the first to commit, then sees what it did — an `append` skips the file the first appended
 * (never adding its rows twice), a `merge` replaces the rows the first merged (never keeping both). The first load
 * is held open just before its COMMIT while the second is started; the second is let run until it either waits on
 * a lock or reaches its own COMMIT, then the first commits.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { loadRun, type TableLoad } from "../../src/load/Load.ts"
import { openPostgres } from "../../src/load/PostgresEngine.ts"
import { readRunManifest } from "../../src/load/RunManifest.ts"
import { editedRun, manifestOf, withPostgres, writeManifest } from "./support/loadHelpers.ts"
import { realPostgresAndRun } from "./support/RealPostgres.ts"

const server = realPostgresAndRun("spotpipe-concurrent-loads-", 5)
const { root, run } = server

const open = () => openPostgres(server.url, "test", { password: undefined, passFile: undefined })

/** A promise and its resolve. */
const signal = () => {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

type Mode = "replace" | "append" | "merge"

/**
 * Loads the run twice at once with `mode`: the first is held before its COMMIT until the second waits on a lock
 * held by another session, reaches its own COMMIT or ends; then both finish.
 */
const loadTwiceAtOnce = async (mode: Mode): Promise<[TableLoad, TableLoad]> => {
  const results = await loadAtOnce([run, mode], [run, mode])
  return results.map((r) => {
    if (r.status === "rejected") throw r.reason
    return r.value
  }) as [TableLoad, TableLoad]
}

/** As {@link loadTwiceAtOnce}, with a run folder and mode for each load; how each ended. */
const loadAtOnce = async (
  [firstRun, firstMode]: readonly [string, Mode],
  [secondRun, secondMode]: readonly [string, Mode]
): Promise<Array<PromiseSettledResult<TableLoad>>> => {
  const options = (dir: string, mode: Mode) => ({
    mode,
    key: mode === "merge" ? [readRunManifest(dir).outputs[0]!.columns[0]!.name] : [],
    version: "test"
  })
  const [first, second] = [await open(), await open()]
  try {
    const firstHeld = signal()
    const releaseFirst = signal()
    const loadingFirst = loadRun(first, readRunManifest(firstRun), {
      ...options(firstRun, firstMode),
      beforeCommit: async () => {
        firstHeld.resolve()
        await releaseFirst.promise
      }
    })
    await firstHeld.promise
    const secondAtCommit = signal()
    const loadingSecond = loadRun(second, readRunManifest(secondRun), {
      ...options(secondRun, secondMode),
      beforeCommit: async () => secondAtCommit.resolve()
    })
    const secondDone = loadingSecond.then(
      () => "ended",
      () => "ended"
    )
    // Until the second load waits on a lock, or is past the point where it would have waited.
    let waiting = false
    const lockWait = withPostgres(server.url, async (query) => {
      while (!waiting) {
        const [[n]] = (await query("SELECT count(*) FROM pg_locks WHERE NOT granted")) as [[string]]
        if (Number(n) > 0) return "waits"
        await new Promise((r) => setTimeout(r, 20))
      }
      return "stopped"
    })
    await Promise.race([lockWait, secondAtCommit.promise, secondDone])
    waiting = true
    await lockWait
    releaseFirst.resolve()
    return await Promise.allSettled([loadingFirst, loadingSecond].map((p) => p.then((r) => r[0]!)))
  } finally {
    await first.close()
    await second.close()
  }
}

describe("two loads of one run into one PostgreSQL table at once", () => {
  const table = () => readRunManifest(run).outputs[0]!.table
  const rows = () => readRunManifest(run).outputs[0]!.rows
  const count = () =>
    withPostgres(server.url, (q) => q(`SELECT count(*) FROM "${table()}"`)).then((r) => Number(r[0]![0]))
  const reset = () => withPostgres(server.url, (q) => q(`DROP TABLE IF EXISTS "${table()}", spotpipe_loads`))

  it("append: the second waits for the first and skips the file it appended", async () => {
    await reset()
    const [first, second] = await loadTwiceAtOnce("append")
    expect(first.skipped).toBeUndefined()
    expect(first.rows).toBe(rows())
    expect(second.skipped).toMatch(/^already appended to /)
    expect(await count()).toBe(rows())
    const appends = await withPostgres(server.url, (q) =>
      q("SELECT count(*) FROM spotpipe_loads WHERE mode = 'append'")
    )
    expect(Number(appends[0]![0])).toBe(1)
  }, 60_000)

  it("append into a table that exists: the file is added once", async () => {
    await reset()
    const manifest = readRunManifest(run)
    const engine = await open()
    await loadRun(engine, manifest, { mode: "replace", key: [], version: "test" }).finally(() => engine.close())
    const [first, second] = await loadTwiceAtOnce("append")
    expect(first.skipped).toBeUndefined()
    expect(second.skipped).toMatch(/^already appended to /)
    expect(await count()).toBe(2 * rows())
  }, 60_000)

  it("merge into a table that exists: the second replaces the first's rows, none is kept twice", async () => {
    await reset()
    const manifest = readRunManifest(run)
    const engine = await open()
    await loadRun(engine, manifest, { mode: "replace", key: [], version: "test" }).finally(() => engine.close())
    const [first, second] = await loadTwiceAtOnce("merge")
    expect([first.rows, second.rows]).toEqual([rows(), rows()])
    expect(await count()).toBe(rows())
  }, 60_000)

  it("a load that waited for the table's lock records the time it wrote, after the lock was let go", async () => {
    await reset()
    const manifest = readRunManifest(run)
    const lockKey = `hashtext('spotpipe load'), hashtext(coalesce(current_schema(), '') || '.' || '${table()}')`
    const [loaded, released] = await withPostgres(server.url, async (holder) => {
      // Another session holds the table's lock: the load begins its transaction, then waits for it.
      await holder(`SELECT pg_advisory_lock(${lockKey})`)
      const engine = await open()
      const loading = loadRun(engine, manifest, { mode: "replace", key: [], version: "test" }).finally(() =>
        engine.close()
      )
      await withPostgres(server.url, async (query) => {
        for (;;) {
          const [[n]] = (await query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) as [
            [string]
          ]
          if (Number(n) > 0) return
          await new Promise((r) => setTimeout(r, 20))
        }
      })
      const [[at]] = (await holder("SELECT clock_timestamp()")) as [[Date]]
      await holder(`SELECT pg_advisory_unlock(${lockKey})`)
      return [await loading, at] as const
    })
    expect(loaded[0]?.rows).toBe(rows())
    const [[loadedAt]] = (await withPostgres(server.url, (q) =>
      q("SELECT loaded_at FROM spotpipe_loads WHERE mode = 'replace'")
    )) as [[Date]]
    // now() (the transaction's start) was before the wait, so before the load it waited for.
    expect(loadedAt.getTime()).toBeGreaterThanOrEqual(released.getTime())
  }, 60_000)

  it("append while another load replaces the table with a column more: refused, nothing added", async () => {
    await reset()
    const manifest = readRunManifest(run)
    const engine = await open()
    await loadRun(engine, manifest, { mode: "replace", key: [], version: "test" }).finally(() => engine.close())
    // The same result exported later with a column more.
    const wider = editedRun(run, NodePath.join(root, "wider"), manifest.outputs[0]!.file, (text) =>
      text
        .split("\r\n")
        .map((line, i) => (line === "" ? line : `${line},${i === 0 ? "Extra" : "1"}`))
        .join("\r\n")
    )
    const widerManifest = manifestOf(wider)
    ;(widerManifest.outputs[0]!.columns as Array<{ name: string; type: string | null }>).push({
      name: "Extra",
      type: "INT64"
    })
    writeManifest(wider, widerManifest)
    const [replaced, appended] = await loadAtOnce([wider, "replace"], [run, "append"])
    expect(replaced).toMatchObject({ status: "fulfilled", value: { rows: rows() } })
    expect(appended?.status === "rejected" && String(appended.reason)).toContain(
      `table ${table()} exists with other columns`
    )
    expect(await count()).toBe(rows())
  }, 60_000)
})
