/**
 * A TML export item's `info` is handed on as sent, to its last nested field: a newer cluster's details of a
 * status (a warning's list, say) are not dropped.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { successOf } from "./exits.ts"
import { makeFake, testOptions, useClient, withTokens } from "./fake.ts"

describe("TML items as sent", () => {
  it.effect("a field the document does not define, in info and in its status, is kept", () =>
    Effect.gen(function* () {
      const info = {
        id: "a",
        name: "Sales",
        filename: "Sales.liveboard.tml",
        type: "liveboard",
        status: {
          status_code: "WARNING",
          error_message: "a column was renamed",
          warning_details: [{ code: 14533, column: "Revenue" }]
        },
        export_time_in_millis: 1718900000000
      }
      const fake = makeFake(
        withTokens((r) =>
          r.path === "metadata/tml/export" ? { body: [{ info, edoc: "guid: a\n" }] } : { status: 404 }
        )
      )
      const items = successOf(
        yield* Effect.exit(
          useClient(fake, testOptions(), (client) => client.exportTml({ metadata: [{ identifier: "a" }] }))
        )
      )
      expect(items).toHaveLength(1)
      expect(items[0]!._tag).toBe("TmlExported")
      expect(items[0]!.info).toEqual(info)
    })
  )
})
