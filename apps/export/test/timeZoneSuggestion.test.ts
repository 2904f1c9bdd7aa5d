/** A data time zone that is not one is refused with the zones it was probably meant to be. */
import { describe, expect, it } from "vitest"
import { timeZoneProblem } from "../src/plan/JobFile.ts"

describe("timeZoneProblem", () => {
  it("suggests the zone a misspelt IANA name is close to", () => {
    expect(timeZoneProblem("America/Los_Angels")).toMatch(/; did you mean "America\/Los_Angeles"\?$/)
    expect(timeZoneProblem("europe/berln")).toMatch(/; did you mean "Europe\/Berlin"\?$/)
  })

  it("suggests the zones a bare city name ends", () => {
    expect(timeZoneProblem("Berlin")).toMatch(/; did you mean "Europe\/Berlin"\?$/)
    expect(timeZoneProblem("los_angeles")).toMatch(/; did you mean "America\/Los_Angeles"\?$/)
  })

  it("suggests zones by their current tz names, not the old ones ICU lists them by", () => {
    expect(timeZoneProblem("Asia/Kolkatta")).toMatch(/; did you mean "Asia\/Kolkata"\?$/)
    expect(timeZoneProblem("Kyiv")).toMatch(/; did you mean "Europe\/Kyiv"\?$/)
    expect(timeZoneProblem("Asia/Ho_Chi_Min")).toMatch(/; did you mean "Asia\/Ho_Chi_Minh"\?$/)
    // Each suggested name is taken as it is suggested.
    for (const zone of ["Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh", "America/Nuuk", "Pacific/Kanton"]) {
      expect(timeZoneProblem(zone)).toBeUndefined()
    }
  })

  it("suggests nothing for a name near no zone, and takes real zones and offsets", () => {
    expect(timeZoneProblem("Pacific")).toBe(
      "must be an IANA name such as UTC, Europe/Berlin or America/Los_Angeles, or an offset such as -08:00"
    )
    expect(timeZoneProblem("Not/AZoneAtAll")).not.toContain("did you mean")
    expect(timeZoneProblem("America/Los_Angeles")).toBeUndefined()
    expect(timeZoneProblem("-08:00")).toBeUndefined()
  })
})
