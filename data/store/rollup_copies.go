package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Copies (version 9): columns of rollup_customer_lifetime that copy a value of another row of the
// same customer, so the lapsed list reads one covering index range (Snapshot.LapsedCustomers).
// They are not rollup values (no sum over the source rows), so they sit beside the generated
// machinery: triggers here keep them in the same transaction as every write, fillCopies sets them
// after a rebuild, and checkCopiesQuery counts the rows that disagree for CheckRollups.

// lifetimeCopies are the copied columns: from the customers row, and the booked rollup's
// latest start (NULL when the customer has no scheduled or confirmed appointment).
var lifetimeCopies = []struct{ name, from string }{
	{"status", "(SELECT status FROM customers WHERE id = %s)"},
	{"name", "(SELECT name FROM customers WHERE id = %s)"},
	{"email", "(SELECT email FROM customers WHERE id = %s)"},
	{"phone", "(SELECT phone FROM customers WHERE id = %s)"},
	{"booked_last_start", "(SELECT last_start FROM rollup_customer_booked WHERE customer_id = %s)"},
}

// copySet is the SET clause giving the lifetime row of customer id every copied value.
func copySet(id string) string {
	names, vals := make([]string, len(lifetimeCopies)), make([]string, len(lifetimeCopies))
	for i, c := range lifetimeCopies {
		names[i], vals[i] = c.name, fmt.Sprintf(c.from, id)
	}
	return "(" + strings.Join(names, ", ") + ") = (" + strings.Join(vals, ", ") + ")"
}

// copyTriggers keep the copies: a new lifetime row takes them all, a customer's insert or change
// of a copied column updates their row, and a change of the booked latest start updates it too.
func copyTriggers() []rollupTrigger {
	const l = "rollup_customer_lifetime"
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
	}
}

// addCopies adds the copied columns to rollup_customer_lifetime unless it has them (migration 9).
func addCopies(ctx context.Context, tx *sql.Tx) error {
	if ok, err := hasCopies(ctx, tx); err != nil || ok {
		return err
	}
	for _, c := range lifetimeCopies {
		typ := "TEXT"
		if c.name == "booked_last_start" {
			typ = "INTEGER"
		}
		if _, err := tx.ExecContext(ctx, "ALTER TABLE rollup_customer_lifetime ADD COLUMN "+c.name+" "+typ); err != nil {
			return fmt.Errorf("add the lifetime copy %s: %w", c.name, err)
		}
	}
	return nil
}

// hasCopies reports whether the schema has the copied columns (version 9): the migrations before
// it install triggers and rebuild without them.
func hasCopies(ctx context.Context, tx *sql.Tx) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_table_info('rollup_customer_lifetime') WHERE name = 'booked_last_start'").Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the schema: %w", err)
	}
	return n > 0, nil
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
