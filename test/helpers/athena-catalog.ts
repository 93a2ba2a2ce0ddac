import type { TableMetadata } from '@aws-sdk/client-athena';
import { glueTableInput, type LakeFormat } from '../../infra/glue-tables';
import { type CatalogTable, fromTableMetadata } from '../../shared/lake/athena';
import type { TableDef } from '../../shared/lake/table';

export interface DeployedLake {
  readonly bucket: string;
  readonly format: LakeFormat;
  readonly serverIds: readonly number[];
}

/**
 * A table's metadata as Athena's ListTableMetadata reports it for the Glue table the stack deploys: built from the
 * stack's own Glue table input (infra/glue-tables.ts), with the storage descriptor flattened into the parameters the
 * way Athena does (`location`, `inputformat`, `outputformat`, `serde.serialization.lib`, `serde.param.*`).
 */
export function athenaTableMetadata(table: TableDef, lake: DeployedLake): TableMetadata {
  const input = glueTableInput(table, {
    bucketName: lake.bucket,
    format: lake.format,
    dateRangeStart: '2025-01-01',
    enumValues: table.partitionKeys.some((k) => k.name === 'server_id') ? { server_id: lake.serverIds } : {},
  });
  const sd = input.storageDescriptor as {
    location: string;
    inputFormat: string;
    outputFormat: string;
    columns: { name: string; type: string }[];
    serdeInfo: { serializationLibrary: string; parameters: Record<string, string> };
  };
  return {
    Name: input.name,
    TableType: 'EXTERNAL_TABLE',
    Columns: sd.columns.map((c) => ({ Name: c.name, Type: c.type })),
    PartitionKeys: (input.partitionKeys as { name: string; type: string }[]).map((k) => ({
      Name: k.name,
      Type: k.type,
    })),
    Parameters: {
      ...(input.parameters as Record<string, string>),
      location: sd.location,
      inputformat: sd.inputFormat,
      outputformat: sd.outputFormat,
      'serde.serialization.lib': sd.serdeInfo.serializationLibrary,
      ...Object.fromEntries(Object.entries(sd.serdeInfo.parameters).map(([k, v]) => [`serde.param.${k}`, v])),
    },
  };
}

/** The same metadata in the shape the check reads (what athenaEngine().listTables() makes of it). */
export function catalogTable(table: TableDef, lake: DeployedLake): CatalogTable {
  return fromTableMetadata(athenaTableMetadata(table, lake));
}
