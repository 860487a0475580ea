/**
 * `ar import customers|invoices|payments FILE`: load a CSV export into the built-in ledger.
 * Exit codes: 0 every row imported; 1 the file was refused and nothing was written; 2 imported with
 * --skip-invalid but some rows were left out (they are in the rejects file) — scripts can tell them apart.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../config';
import { ImportFileError, describeIssue, formatResult, type ImportKind } from '../../../ledger/import/report';
import { importFile } from '../../../ledger/import/run';
import { COLUMNS } from '../../../ledger/import/schemas';
import { DEFAULT_ENCODING, encodingProblem } from '../../../ledger/import/encoding';
import { clipValue } from '../../../domain/text';

function parseEncoding(v: string): string {
  const problem = encodingProblem(v);
  if (problem) throw new InvalidArgumentError(`${JSON.stringify(clipValue(v))} ${problem}`);
  return v;
}
import { openDatabase } from '../../../db/open';
import { createProgress } from '../progress';

const HELP: Record<ImportKind, string> = {
  customers:
    'email/phone/contact_name are the billing contact; decision_maker_email/_name the decision maker. tier: strategic|standard|small.',
  invoices:
    'Amounts are decimals in the currency (JPY 0 decimals, KWD 3). open_amount: the balance per your ERP, which already reflects its ' +
    'payments; leave it out and the ledger derives it (amount minus payments, credits and write-offs recorded here).',
  payments:
    'With invoice_number the payment is applied to that invoice; it reduces the open balance only when the invoice import did not ' +
    'state one (open_amount). Import customers, then invoices, then payments.',
};

export function registerImportCommands(program: Command): void {
  const imp = program
    .command('import')
    .description('Import customers, invoices or payments from a CSV file (header row; re-importing is safe).');
  for (const kind of ['customers', 'invoices', 'payments'] as const) {
    const spec = COLUMNS[kind];
    imp
      .command(`${kind} <file>`)
      .description(`Import ${kind}. Columns: ${spec.required.join(', ')}; optional: ${spec.optional.join(', ')}. ${HELP[kind]}`)
      .option('--skip-invalid', 'import the valid rows and write the rejected ones, with a reason column, to a rejects file')
      .option(
        '--rejected-out <path>',
        'where --skip-invalid writes rejected rows (default: <file name>.rejected.csv in the current folder)',
      )
      .option(
        '--encoding <name>',
        "the file's character encoding, e.g. latin1, windows-1252, iso-8859-15 (bytes that are not valid in it are refused, row by row)",
        parseEncoding,
        DEFAULT_ENCODING,
      )
      .action(async (file: string, opts: { skipInvalid?: boolean; rejectedOut?: string; encoding: string }) => {
        process.exitCode = await runImport(kind, path.resolve(file), opts);
      });
  }
}

/** Rejected rows go where the user runs the command, never into the folder the export came from (a repository, a share). */
function defaultRejectsPath(file: string, cwd = process.cwd()): string {
  return path.join(cwd, `${path.basename(file).replace(/\.csv$/i, '')}.rejected.csv`);
}

async function runImport(
  kind: ImportKind,
  file: string,
  opts: { skipInvalid?: boolean; rejectedOut?: string; encoding: string },
): Promise<number> {
  if (!existsSync(file)) {
    console.error(`ar: file not found: ${file}`);
    return 1;
  }
  const database = await openDatabase(loadConfig());
  const progress = createProgress();
  try {
    const result = await importFile(database.db, kind, file, {
      skipInvalid: opts.skipInvalid,
      encoding: opts.encoding,
      rejectsPath: path.resolve(opts.rejectedOut ?? defaultRejectsPath(file)),
      onProgress: (phase, done, total) => progress.update(phase, done, total),
    });
    progress.done();
    console.log(formatResult(result));
    if (!result.committed) return 1;
    return result.rejectedRows ? 2 : 0;
  } catch (err) {
    progress.done();
    if (!(err instanceof ImportFileError)) throw err;
    console.error(`${file}: REFUSED — nothing was imported.`);
    for (const i of err.issues) console.error(`  ${describeIssue(i)}`);
    return 1;
  } finally {
    await database.close();
  }
}
