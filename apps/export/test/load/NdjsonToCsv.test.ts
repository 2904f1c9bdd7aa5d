/**
 * NDJSON rows as CSV for PostgreSQL's COPY: exact (numbers keep their digits, strings always quoted, null empty),
 * the one-pass reader agrees with JSON.parse on every shape, and a line that does not match the manifest's columns
 * is refused with its line number.
 */
import { describe, expect, it } from "vitest"
import { ndjsonLineToCsv, parsedLineToCsv } from "../../src/load/NdjsonToCsv.ts"

const columns = ["id", "name", "amount", "ok", "day", "tags"]

describe("ndjsonLineToCsv", () => {
  it("keeps numbers as written, quotes every string, writes null as an empty field", () => {
    const line = '{"id":9007199254740993,"name":"","amount":1e-7,"ok":false,"day":null,"tags":["a","b\\"c"]}'
    expect(ndjsonLineToCsv(line, columns, 1)).toBe('9007199254740993,"",1e-7,false,,"[""a"",""b\\""c""]"\n')
  })

  it("agrees with JSON.parse on escapes, unicode, commas and quotes inside strings, and nested values", () => {
    const lines = [
      '{"id":-12,"name":"a,\\"b\\"\\\\n\\u00e9 ü 🎉","amount":0.1,"ok":true,"day":"2024-02-29","tags":[]}',
      '{"id":0,"name":"}{,:","amount":-0.0,"ok":null,"day":"","tags":null}',
      '{"id":123456789012345678,"name":"line\\nbreak\\r\\t","amount":1.5E+300,"ok":false,"day":"x","tags":["[x]","{"]}',
      '{"id":1,"name":"\\"","amount":2,"ok":true,"day":"d","tags":[1,22222222222222222222,{"k":"v"}]}'
    ]
    for (const line of lines) {
      expect(ndjsonLineToCsv(line, columns, 1)).toBe(parsedLineToCsv(line, columns, 1))
    }
  })

  it("reads other key orders and spacing through JSON.parse", () => {
    const line = '{ "tags": null, "day": null, "ok": true, "amount": 3, "name": "n", "id": 18446744073709551615 }'
    expect(ndjsonLineToCsv(line, columns, 1)).toBe('18446744073709551615,"n",3,true,,\n')
  })

  it("refuses a line that is not the manifest's columns, naming the line", () => {
    expect(() => ndjsonLineToCsv('{"id":1,"name":"a","amount":1,"ok":true,"day":null}', columns, 7)).toThrow(
      "line 7 has 5 keys where the manifest lists 6 columns"
    )
    expect(() => ndjsonLineToCsv('{"id":1,"name":"a","amount":1,"ok":true,"day":null,"other":1}', columns, 8)).toThrow(
      'line 8 has no "tags"'
    )
    expect(() => ndjsonLineToCsv('{"id":1,', columns, 9)).toThrow("line 9 is not valid JSON")
    expect(() => ndjsonLineToCsv("[1,2,3,4,5,6]", columns, 10)).toThrow("line 10 is not a JSON object")
  })
})
