/**
 * A wire object whose documented fields are checked and whose other fields are kept as sent: admin listings
 * (users, groups, roles, …) are exported, so a field the specification does not name yet must not vanish.
 */
import { Schema } from "effect"

/** `fields` checked, every other key kept as an `unknown` value. */
export const openStruct = <const Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.StructWithRest(Schema.Struct(fields), [Schema.Record(Schema.String, Schema.Unknown)])

/** An optional, nullable field (the specification's `nullable: true` without `required`). */
export const nullable = <S extends Schema.Top>(schema: S) => Schema.optionalKey(Schema.NullOr(schema))

/** `{ id?, name? }` references (`Object_ID_And_Name`, `UserGroup`, `GenericInfo`, `Role` in the specification). */
export const IdAndName = openStruct({ id: nullable(Schema.String), name: nullable(Schema.String) })
