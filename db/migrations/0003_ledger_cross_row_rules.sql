-- Rules that span rows, which a CHECK cannot see. Each refuses the write with a named constraint
-- (ERRCODE check_violation) so callers can map it to a clear error.

-- 1. Allocations stay within the payment (0001) AND within the invoice's amount: an invoice
--    cannot receive more cash than it bills (surplus cash is unapplied, not an allocation).
--    The invoice is locked before the payment, the same order the built-in ledger uses.
CREATE OR REPLACE FUNCTION payment_applications_within_payment() RETURNS trigger AS $$
DECLARE
  pay_amount bigint;
  pay_currency text;
  inv_amount bigint;
  inv_currency text;
  allocated bigint;
BEGIN
  SELECT amount_minor, currency INTO inv_amount, inv_currency FROM invoices WHERE number = NEW.invoice_number FOR UPDATE;
  SELECT amount_minor, currency INTO pay_amount, pay_currency FROM payments WHERE id = NEW.payment_id FOR UPDATE;
  IF inv_currency IS DISTINCT FROM pay_currency THEN
    RAISE EXCEPTION 'payment % is in %, invoice % is in %: an allocation cannot cross currencies',
      NEW.payment_id, pay_currency, NEW.invoice_number, inv_currency
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_currency_ck';
  END IF;
  SELECT coalesce(sum(amount_minor), 0) INTO allocated FROM payment_applications
    WHERE payment_id = NEW.payment_id AND id IS DISTINCT FROM NEW.id;
  IF allocated + NEW.amount_minor > pay_amount THEN
    RAISE EXCEPTION 'allocations of payment % would total %, more than the payment of %',
      NEW.payment_id, allocated + NEW.amount_minor, pay_amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_within_payment_ck';
  END IF;
  SELECT coalesce(sum(amount_minor), 0) INTO allocated FROM payment_applications
    WHERE invoice_number = NEW.invoice_number AND id IS DISTINCT FROM NEW.id;
  IF allocated + NEW.amount_minor > inv_amount THEN
    RAISE EXCEPTION 'allocations to invoice % would total %, more than its amount of %',
      NEW.invoice_number, allocated + NEW.amount_minor, inv_amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_within_invoice_ck';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint

-- 2. A payment's amount or currency cannot change under its allocations.
CREATE FUNCTION payments_cover_allocations() RETURNS trigger AS $$
DECLARE
  allocated bigint;
BEGIN
  SELECT coalesce(sum(amount_minor), 0) INTO allocated FROM payment_applications WHERE payment_id = NEW.id;
  IF allocated > 0 AND NEW.currency IS DISTINCT FROM OLD.currency THEN
    RAISE EXCEPTION 'payment % has allocations in %: its currency cannot change to %', NEW.id, OLD.currency, NEW.currency
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_allocated_currency_ck';
  END IF;
  IF allocated > NEW.amount_minor THEN
    RAISE EXCEPTION 'payment % has % allocated: its amount cannot drop to %', NEW.id, allocated, NEW.amount_minor
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_cover_allocations_ck';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER payments_cover_allocations
  BEFORE UPDATE OF amount_minor, currency ON payments
  FOR EACH ROW EXECUTE FUNCTION payments_cover_allocations();
--> statement-breakpoint

-- 3. An invoice's amount or currency cannot change under the cash already applied to it.
CREATE FUNCTION invoices_cover_allocations() RETURNS trigger AS $$
DECLARE
  allocated bigint;
BEGIN
  SELECT coalesce(sum(amount_minor), 0) INTO allocated FROM payment_applications WHERE invoice_number = NEW.number;
  IF allocated > 0 AND NEW.currency IS DISTINCT FROM OLD.currency THEN
    RAISE EXCEPTION 'invoice % has payments applied in %: its currency cannot change to %', NEW.number, OLD.currency, NEW.currency
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_allocated_currency_ck';
  END IF;
  IF allocated > NEW.amount_minor THEN
    RAISE EXCEPTION 'invoice % has % applied: its amount cannot drop to %', NEW.number, allocated, NEW.amount_minor
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_cover_allocations_ck';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER invoices_cover_allocations
  BEFORE UPDATE OF amount_minor, currency ON invoices
  FOR EACH ROW
  WHEN (OLD.amount_minor IS DISTINCT FROM NEW.amount_minor OR OLD.currency IS DISTINCT FROM NEW.currency)
  EXECUTE FUNCTION invoices_cover_allocations();
--> statement-breakpoint

-- 4. Write-offs and invoice-linked credit notes are in the invoice's currency (amounts never mix).
CREATE FUNCTION same_currency_as_invoice() RETURNS trigger AS $$
DECLARE
  inv_currency text;
BEGIN
  IF NEW.invoice_number IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT currency INTO inv_currency FROM invoices WHERE number = NEW.invoice_number;
  IF inv_currency IS NOT NULL AND inv_currency <> NEW.currency THEN
    RAISE EXCEPTION '% % is in %, invoice % is in %', TG_TABLE_NAME, NEW.id, NEW.currency, NEW.invoice_number, inv_currency
      USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_invoice_currency_ck';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER write_offs_same_currency
  BEFORE INSERT OR UPDATE ON write_offs
  FOR EACH ROW EXECUTE FUNCTION same_currency_as_invoice();
--> statement-breakpoint
CREATE TRIGGER credit_notes_same_currency
  BEFORE INSERT OR UPDATE ON credit_notes
  FOR EACH ROW EXECUTE FUNCTION same_currency_as_invoice();
