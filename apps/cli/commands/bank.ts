/**
 * `ar bank import FILE`: store a bank statement file (idempotently) and start the cash workflow
 * of each statement in it; `ar cash list`: the bank transactions and what cash application did.
 * Exit codes of import: 0 stored (or already stored); 1 refused, nothing stored; 2 stored with
 * --skip-invalid but some entries were rejected (listed).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../config';
import { openDatabase } from '../../../db/open';
import { BANK_TX_STATUSES, type BankTxStatus } from '../../../db/cash-schema';
import { importBankFile } from '../../../cash/store';
import { listCash } from '../../../cash/list';
import { loadCsvMap, StatementError, type StatementFormat } from '../../../cash/statements';
import { createProgress } from '../progress';

const FORMATS = ['auto', 'camt053', 'camt054', 'bai2', 'mt940', 'csv'] as const;

function oneOf<T extends string>(values: readonly T[], what: string) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${JSON.stringify(v)} is not a ${what}: ${values.join('|')}`);
    return v as T;
  };
}

interface ImportOpts {
  format: 'auto' | StatementFormat;
  csvMap?: string;
  wait?: boolean;
  json?: boolean;
  skipInvalid?: boolean;
}

export function registerBankCommands(program: Command): void {
  program
    .command('bank')
    .description('Bank statements: import camt.053/054, BAI2, MT940 or mapped CSV files for cash application.')
    .command('import <file>')
    .description('Store a statement file (the same file twice stores nothing new) and start the cash workflow of each statement in it.')
    .option(
      '--format <format>',
      `the file's format, ${FORMATS.join('|')} (auto: detected from the content)`,
      oneOf(FORMATS, 'format'),
      'auto',
    )
    .option('--csv-map <file>', 'a JSON column mapping for a CSV export (delimiter, decimal comma, date format, sign convention)')
    .option('--wait', 'wait for matching and posting to finish and print the counts per outcome')
    .option('--json', 'print the result as JSON')
    .option('--skip-invalid', 'store the valid entries and report the rejected ones instead of refusing the whole file')
    .action(async (file: string, opts: ImportOpts) => {
      process.exitCode = await runBankImport(path.resolve(file), opts);
    });

  program
    .command('cash')
    .description('Cash application: bank transactions and what was done with them.')
    .command('list')
    .description('List bank transactions with their status, confidence, allocations and reasons.')
    .option('--status <status>', BANK_TX_STATUSES.join('|'), oneOf(BANK_TX_STATUSES, 'status'))
    .option('--statement <id>', 'only the transactions of this statement (its key, as `ar bank import` prints it)')
    .option('--json', 'print a JSON array, one object per bank transaction')
    .action(async (opts: { status?: BankTxStatus; statement?: string; json?: boolean }) => {
      const database = await openDatabase(loadConfig());
      try {
        const items = await listCash(database.db, opts);
        if (opts.json) {
          const out = items.map((i) => ({
            entryRef: i.entryRef,
            bookingDate: i.bookingDate,
            amount: i.amount,
            currency: i.currency,
            direction: i.direction,
            payer: i.payer,
            remittance: i.remittance,
            status: i.status,
            confidence: i.confidence,
            allocations: i.allocations,
            reasons: i.reasons,
          }));
          console.log(JSON.stringify(out, null, 2));
          return;
        }
        for (const i of items) {
          const alloc = i.allocations.map((a) => `${a.invoiceNumber} ${a.amount}`).join(', ');
          console.log(
            `${i.bookingDate}  ${i.direction === 'credit' ? '+' : '-'}${i.amount} ${i.currency}  ${i.status.padEnd(9)}  ${i.confidence ?? '-'}  ${i.entryRef ?? '(no ref)'}  ${i.payer ?? ''}${alloc ? `  → ${alloc}` : ''}`,
          );
        }
        console.log(`${items.length} bank transactions`);
      } finally {
        await database.close();
      }
    });
}

async function runBankImport(file: string, opts: ImportOpts): Promise<number> {
  if (!existsSync(file)) {
    console.error(`ar: file not found: ${file}`);
    return 1;
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  const fileName = path.basename(file);
  try {
    let result: Awaited<ReturnType<typeof importBankFile>>;
    try {
      const csvMap = opts.csvMap ? loadCsvMap(readFileSync(path.resolve(opts.csvMap), 'utf8'), path.basename(opts.csvMap)) : undefined;
      result = await importBankFile(database.db, readFileSync(file), {
        fileName,
        format: opts.format,
        csvMap,
        skipInvalid: opts.skipInvalid,
        importedBy: `cli:${process.env.USER ?? 'unknown'}`,
      });
    } catch (err) {
      if (!(err instanceof StatementError)) throw err;
      if (opts.json)
        console.log(JSON.stringify({ refused: true, file: fileName, location: err.location, value: err.value, rule: err.rule }));
      console.error(`${err.message}\n${fileName}: REFUSED — nothing was stored.`);
      return 1;
    }
    // Loaded on use: the Temporal client is heavy.
    const { connectClient } = await import('../../../temporal/client');
    const { startCashWorkflows, waitForCashWorkflows } = await import('../../../cash/start');
    const { cashProgressQuery } = await import('../../../cash/messages');
    const client = await connectClient(config);
    try {
      const starts = await startCashWorkflows(client, config.TEMPORAL_TASK_QUEUE, result.statements);
      let outcomes = null;
      if (opts.wait) {
        const progress = createProgress();
        const ids = starts.map((s) => s.workflowId);
        const credits = result.statements.reduce((n, s) => n + s.credits, 0);
        // The bar follows each workflow's progress query: credits decided, of all credits in the file.
        const timer = setInterval(() => {
          void Promise.all(
            ids.map((id) =>
              client.workflow
                .getHandle(id)
                .query(cashProgressQuery)
                .catch(() => null),
            ),
          ).then((views) => {
            const decided = views.reduce(
              (n, v) => n + (v ? v.decided.applied + v.decided.proposed + v.decided.unapplied + v.decided.ignored : 0),
              0,
            );
            progress.update('matching', decided, credits);
          });
        }, 500);
        try {
          outcomes = await waitForCashWorkflows(client, ids);
        } finally {
          clearInterval(timer);
          progress.done();
        }
      }
      const decided = { applied: 0, proposed: 0, unapplied: 0, ignored: 0 };
      for (const o of outcomes ?? []) for (const k of Object.keys(decided) as (keyof typeof decided)[]) decided[k] += o.decided[k];
      // A credit the bank returned was decided first, then reversed: the line says both.
      const totals = { ...decided, returnsReversed: (outcomes ?? []).reduce((n, o) => n + o.returnsReversed, 0) };
      if (opts.json) {
        console.log(JSON.stringify({ ...result, workflows: starts, ...(outcomes ? { outcomes, totals } : {}) }, null, 2));
      } else {
        console.log(
          result.alreadyImported
            ? `${fileName}: already imported (sha256 ${result.sha256.slice(0, 12)}…): nothing new stored.`
            : `${fileName}: ${result.statements.filter((s) => s.stored).length} statements stored.`,
        );
        for (const s of result.statements) {
          const w = starts.find((x) => x.statementKey === s.key);
          console.log(
            `  ${s.key} (${s.format}, ${s.currency}): ${s.credits} credits, ${s.debits} debits — ${s.stored ? 'stored' : 'already stored'}; workflow ${w?.workflowId} ${w?.started ? 'started' : 'already ran'}`,
          );
        }
        for (const r of result.rejected) console.log(`  rejected ${r.location}: ${r.rule} (value: "${r.value}")`);
        if (outcomes)
          console.log(
            `Outcomes: ${totals.applied} applied, ${totals.proposed} proposed, ${totals.unapplied} unapplied, ${totals.ignored} ignored` +
              (totals.returnsReversed > 0 ? `; ${totals.returnsReversed} returned by the bank and reversed` : ''),
          );
      }
      return result.rejected.length > 0 ? 2 : 0;
    } finally {
      await client.connection.close();
    }
  } finally {
    await database.close();
  }
}
