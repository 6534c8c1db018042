import type { ColumnDefinitionBuilder } from 'kysely';

/** The database dialects the store supports; differences between them live here only. */
export type DialectName = 'sqlite' | 'postgres';

/** An auto-incremented integer primary key in either dialect. */
export function autoId(dialect: DialectName): [type: 'integer' | 'serial', build: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return dialect === 'sqlite' ? ['integer', (c) => c.primaryKey().autoIncrement()] : ['serial', (c) => c.primaryKey()];
}
