-- Allocations of one payment never exceed the payment, and never cross currencies.
-- A CHECK cannot see other rows, so a trigger enforces it; the row lock on the payment
-- serialises concurrent allocations of the same payment.
CREATE FUNCTION payment_applications_within_payment() RETURNS trigger AS $$
DECLARE
  pay_amount bigint;
  pay_currency text;
  inv_currency text;
  allocated bigint;
BEGIN
  SELECT amount_minor, currency INTO pay_amount, pay_currency FROM payments WHERE id = NEW.payment_id FOR UPDATE;
  SELECT currency INTO inv_currency FROM invoices WHERE number = NEW.invoice_number;
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
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER payment_applications_within_payment
  BEFORE INSERT OR UPDATE ON payment_applications
  FOR EACH ROW EXECUTE FUNCTION payment_applications_within_payment();
