package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Copies (version 9; revenue_cents version 10): columns of rollup_customer_lifetime that copy a
// value of another row of the same customer, so the lapsed list reads one covering index range
// (Snapshot.LapsedCustomers).
// They are not rollup values (no sum over the source rows), so they sit beside the generated
// machinery: triggers here keep them in the same transaction as every write, fillCopies sets them
// after a rebuild, and checkCopiesQuery counts the rows that disagree for CheckRollups.

// lifetimeCopies are the copied columns: from the customers row, the booked rollup's latest
// start (NULL when the customer has no scheduled or confirmed appointment), and the lifetime
// revenue in the tenant's currency (NULL when the customer has no revenue row in it).
var lifetimeCopies = []struct{ name, typ, from string }{
	{"status", "TEXT", "(SELECT status FROM customers WHERE id = %s)"},
	{"name", "TEXT", "(SELECT name FROM customers WHERE id = %s)"},
	{"email", "TEXT", "(SELECT email FROM customers WHERE id = %s)"},
	{"phone", "TEXT", "(SELECT phone FROM customers WHERE id = %s)"},
	{"booked_last_start", "INTEGER", "(SELECT last_start FROM rollup_customer_booked WHERE customer_id = %s)"},
	{"revenue_cents", "INTEGER", "(SELECT cents FROM rollup_customer_revenue_total WHERE customer_id = %s AND currency = " + tenantCurrency + ")"},
}

// tenantCurrency is the tenant's currency (NULL before the tenant row is written).
const tenantCurrency = "(SELECT currency FROM tenant LIMIT 1)"

// copySet is the SET clause giving the lifetime row of customer id every copied value.
func copySet(id string) string {
	names, vals := make([]string, len(lifetimeCopies)), make([]string, len(lifetimeCopies))
	for i, c := range lifetimeCopies {
		names[i], vals[i] = c.name, fmt.Sprintf(c.from, id)
	}
	return "(" + strings.Join(names, ", ") + ") = (" + strings.Join(vals, ", ") + ")"
}

// copyTriggers keep the copies: a new lifetime row takes them all, a customer's insert or change
// of a copied column updates their row, a change of the booked latest start or of the lifetime
// revenue in the tenant's currency updates it too, and a new tenant row or a change of the
// tenant's currency sets every row's revenue again.
func copyTriggers() []rollupTrigger {
	const l = "rollup_customer_lifetime"
	const r = "rollup_customer_revenue_total"
	revenue := "UPDATE " + l + " SET revenue_cents = " + fmt.Sprintf(lifetimeCopies[len(lifetimeCopies)-1].from, l+".customer_id") + ";"
	return []rollupTrigger{
		{"copy_lifetime_ins", "CREATE TRIGGER copy_lifetime_ins AFTER INSERT ON " + l +
			" BEGIN UPDATE " + l + " SET " + copySet("NEW.customer_id") + " WHERE customer_id = NEW.customer_id; END"},
		{"copy_customer_ins", "CREATE TRIGGER copy_customer_ins AFTER INSERT ON customers" +
			" BEGIN UPDATE " + l + " SET (status, name, email, phone) = (NEW.status, NEW.name, NEW.email, NEW.phone) WHERE customer_id = NEW.id; END"},
		{"copy_customer_upd", "CREATE TRIGGER copy_customer_upd AFTER UPDATE OF status, name, email, phone ON customers" +
			" BEGIN UPDATE " + l + " SET (status, name, email, phone) = (NEW.status, NEW.name, NEW.email, NEW.phone) WHERE customer_id = NEW.id; END"},
		{"copy_booked_ins", "CREATE TRIGGER copy_booked_ins AFTER INSERT ON rollup_customer_booked" +
			" BEGIN UPDATE " + l + " SET booked_last_start = NEW.last_start WHERE customer_id = NEW.customer_id; END"},
		{"copy_booked_upd", "CREATE TRIGGER copy_booked_upd AFTER UPDATE OF last_start ON rollup_customer_booked WHEN NEW.last_start IS NOT OLD.last_start" +
			" BEGIN UPDATE " + l + " SET booked_last_start = NEW.last_start WHERE customer_id = NEW.customer_id; END"},
		{"copy_revenue_ins", "CREATE TRIGGER copy_revenue_ins AFTER INSERT ON " + r + " WHEN NEW.currency IS " + tenantCurrency +
			" BEGIN UPDATE " + l + " SET revenue_cents = NEW.cents WHERE customer_id = NEW.customer_id; END"},
		{"copy_revenue_upd", "CREATE TRIGGER copy_revenue_upd AFTER UPDATE OF cents ON " + r + " WHEN NEW.cents IS NOT OLD.cents AND NEW.currency IS " + tenantCurrency +
			" BEGIN UPDATE " + l + " SET revenue_cents = NEW.cents WHERE customer_id = NEW.customer_id; END"},
		{"copy_tenant_ins", "CREATE TRIGGER copy_tenant_ins AFTER INSERT ON tenant BEGIN " + revenue + " END"},
		{"copy_tenant_upd", "CREATE TRIGGER copy_tenant_upd AFTER UPDATE OF currency ON tenant WHEN NEW.currency IS NOT OLD.currency BEGIN " + revenue + " END"},
	}
}

// addCopies adds the copied columns rollup_customer_lifetime lacks (migrations 9 and 10).
func addCopies(ctx context.Context, tx *sql.Tx) error {
	have, err := copyColumns(ctx, tx)
	if err != nil {
		return err
	}
	for _, c := range lifetimeCopies {
		if have[c.name] {
			continue
		}
		if _, err := tx.ExecContext(ctx, "ALTER TABLE rollup_customer_lifetime ADD COLUMN "+c.name+" "+c.typ); err != nil {
			return fmt.Errorf("add the lifetime copy %s: %w", c.name, err)
		}
	}
	return nil
}

// copyColumns reports which copied columns rollup_customer_lifetime has.
func copyColumns(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM pragma_table_info('rollup_customer_lifetime')")
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read the schema: %w", err)
		}
		have[name] = true
	}
	return have, rows.Err()
}

// hasCopies reports whether the schema has every copied column (version 9 and 10's Go steps add
// them): the migrations before install triggers and rebuild without them.
func hasCopies(ctx context.Context, tx *sql.Tx) (bool, error) {
	have, err := copyColumns(ctx, tx)
	if err != nil {
		return false, err
	}
	for _, c := range lifetimeCopies {
		if !have[c.name] {
			return false, nil
		}
	}
	return true, nil
}

// fillCopies sets every copied value from its source, after a rebuild.
func fillCopies(ctx context.Context, tx *sql.Tx) error {
	if ok, err := hasCopies(ctx, tx); err != nil || !ok {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE rollup_customer_lifetime AS l SET "+copySet("l.customer_id")); err != nil {
		return fmt.Errorf("fill the lifetime copies: %w", err)
	}
	return nil
}

// checkCopiesQuery counts the lifetime rows (n > 0) whose copies differ from their sources.
func checkCopiesQuery() string {
	var diff []string
	for _, c := range lifetimeCopies {
		diff = append(diff, "l."+c.name+" IS NOT "+fmt.Sprintf(c.from, "l.customer_id"))
	}
	return "SELECT COUNT(*) FROM rollup_customer_lifetime l WHERE l.n <> 0 AND (" + strings.Join(diff, " OR ") + ")"
}
