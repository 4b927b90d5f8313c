import { STORAGE_FORMATS, tableFormat } from './storage-format';
import { catalogTables, dataColumns, hiveType, projection, serdeProperties, tableLocation, type CatalogOptions, type TableSpec } from './table-spec';

/** The `TableInput` of Glue's CreateTable API (`aws glue create-table --table-input file://…`). */
export interface GlueTableInput {
  Name: string;
  Description: string;
  TableType: 'EXTERNAL_TABLE';
  Parameters: Record<string, string>;
  PartitionKeys: GlueColumn[];
  StorageDescriptor: {
    Columns: GlueColumn[];
    Location: string;
    InputFormat: string;
    OutputFormat: string;
    Compressed: boolean;
    SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> };
  };
}

export interface GlueColumn {
  Name: string;
  Type: string;
  Comment: string;
}

/** Glue table definitions for every lake table (bad rows are always NDJSON.gz). */
export function glueTables(options: CatalogOptions): GlueTableInput[] {
  return catalogTables(options).map((table) => glueTable(options, table));
}

function glueTable(options: CatalogOptions, table: TableSpec): GlueTableInput {
  const format = tableFormat(options, table);
  const f = STORAGE_FORMATS[format];
  const toGlue = (c: { name: string; type: Parameters<typeof hiveType>[0]; comment: string }): GlueColumn => ({
    Name: c.name,
    Type: hiveType(c.type),
    Comment: c.comment,
  });
  return {
    Name: table.name,
    Description: `eventline lake: ${table.name} (${format})`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: f.classification, EXTERNAL: 'TRUE', ...f.tableProperties, ...projection(options, table) },
    PartitionKeys: table.partitions.map(toGlue),
    StorageDescriptor: {
      Columns: dataColumns(table).map(toGlue),
      Location: tableLocation(options, table),
      InputFormat: f.inputFormat,
      OutputFormat: f.outputFormat,
      Compressed: true,
      SerdeInfo: { SerializationLibrary: f.serde, Parameters: serdeProperties(f, table) },
    },
  };
}
