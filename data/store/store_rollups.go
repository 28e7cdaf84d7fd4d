package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The triggers and the check below are generated from the rollup definitions in rollups.go.
// Triggers keep the rollups in the same transaction as every write; BulkWrite drops them and
// rebuilds the rollups from the rows instead, which is faster for millions of rows.

// legacyTriggerNames are the triggers builds before the generated ones installed; dropTriggers
// removes them too, so a store made by an older build never runs both.
var legacyTriggerNames = []string{"appt_ins", "appt_del", "appt_upd", "appt_service_move", "appt_before_del", "pay_ins", "pay_del", "pay_upd"}

// rollupAdd is the statement adding row r (NEW) to the rollup.
func rollupAdd(ru rollup, r string) string {
	vals, set := make([]string, 0, len(ru.keys)+len(ru.sums)), make([]string, 0, len(ru.sums))
	for _, c := range ru.cols() {
		if c.prev {
			vals = append(vals, "NULL") // set by previousFix below
			continue
		}
		vals = append(vals, c.at(r))
	}
	for _, c := range ru.sums {
		if !c.prev {
			set = append(set, foldIn(c))
		}
	}
	where := ru.where(r)
	if where == "" {
		where = "true" // INSERT ... SELECT needs a WHERE before ON CONFLICT
	}
	return fmt.Sprintf("\nINSERT INTO %s (%s)\nSELECT %s WHERE %s\nON CONFLICT (%s) DO UPDATE SET %s;",
		ru.table, strings.Join(names(ru.cols()), ", "), strings.Join(vals, ", "), where,
		strings.Join(names(ru.keys), ", "), strings.Join(set, ", ")) + previousFix(ru, r, true)
}

// previousFix is the statements keeping the previous-key values (previousOf) after row r was
// added (added) or taken out. Only a rollup row that appears (its n became 1) or goes (its n
// became 0) changes them: an appearing row gets its previous key, and the next row with n > 0
// under the same other keys gets the appearing row's key, or when a row goes, its previous key
// recomputed. A row with n = 0 keeps a stale value (every reader skips those rows). "" when the
// rollup has none.
func previousFix(ru rollup, r string, added bool) string {
	lastKey := ru.keys[len(ru.keys)-1]
	last, others := lastKey.name, ru.keys[:len(ru.keys)-1]
	var out strings.Builder
	for _, c := range ru.sums {
		if !c.prev {
			continue
		}
		// before is the greatest last key below the one of the row being updated.
		same := []string{"p." + count.name + " > 0", "p." + last + " < " + ru.table + "." + last}
		for _, k := range others {
			same = append(same, "p."+k.name+" = "+ru.table+"."+k.name)
		}
		before := fmt.Sprintf("(SELECT p.%s FROM %s p WHERE %s ORDER BY p.%[1]s DESC LIMIT 1)", last, ru.table, strings.Join(same, " AND "))
		var mine, next []string // r's rollup row; the next row's key
		if f := ru.where(r); f != "" {
			mine = append(mine, f)
		}
		next = append(next, "q."+count.name+" > 0", "q."+last+" > "+lastKey.at(r))
		for _, k := range others {
			mine = append(mine, k.name+" = "+k.at(r))
			next = append(next, "q."+k.name+" = "+k.at(r))
		}
		nextKey := fmt.Sprintf("(SELECT q.%s FROM %s q WHERE %s ORDER BY q.%[1]s LIMIT 1)", last, ru.table, strings.Join(next, " AND "))
		n := fmt.Sprintf("(SELECT %s FROM %s WHERE %s AND %s = %s)", count.name, ru.table, strings.Join(mine, " AND "), last, lastKey.at(r))
		if added {
			fmt.Fprintf(&out, "\nUPDATE %s SET %s = %s\n WHERE %s AND %s = %s AND %s = 1;", ru.table, c.name, before,
				strings.Join(mine, " AND "), last, lastKey.at(r), count.name)
			fmt.Fprintf(&out, "\nUPDATE %s SET %s = %s\n WHERE %s AND %s = %s AND %s = 1;", ru.table, c.name, lastKey.at(r),
				strings.Join(mine, " AND "), last, nextKey, n)
			continue
		}
		fmt.Fprintf(&out, "\nUPDATE %s SET %s = %s\n WHERE %s AND %s = %s AND %s = 0;", ru.table, c.name, before,
			strings.Join(mine, " AND "), last, nextKey, n)
	}
	return out.String()
}

// foldIn is the SET clause adding the value of the row being inserted (excluded) to value c.
func foldIn(c rollupCol) string {
	switch c.fold {
	case "MIN", "MAX":
		op := map[string]string{"MIN": "<", "MAX": ">"}[c.fold]
		return fmt.Sprintf("%[1]s = CASE WHEN %[1]s IS NULL OR excluded.%[1]s %[2]s %[1]s THEN excluded.%[1]s ELSE %[1]s END", c.name, op)
	}
	return c.name + " = " + c.name + " + excluded." + c.name
}

// foldOut is the SET clause taking row r (OLD) out of value c. A least/greatest value that r held
// is recomputed from what is left under r's key (NULL when nothing is); the triggers run after
// the write, so that is the rows as they are now.
func foldOut(ru rollup, c rollupCol, r string) string {
	if c.fold == "" {
		return c.name + " = " + c.name + " - " + c.at(r)
	}
	return fmt.Sprintf("%[1]s = CASE WHEN %[1]s = %[2]s THEN (%[3]s) ELSE %[1]s END", c.name, c.at(r), recompute(ru, c, r))
}

// recompute is the query of least/greatest value c of row r's key: the first of the key's values
// in order (so an index on the key and the value reads one entry, or a few), from the finer
// rollup c.via when there is one (its rows with n > 0), else from the source rows.
func recompute(ru rollup, c rollupCol, r string) string {
	order := map[string]string{"MIN": "ASC", "MAX": "DESC"}[c.fold]
	var where []string
	if c.via != "" {
		for _, k := range ru.keys {
			where = append(where, "p."+k.name+" = "+k.at(r))
		}
		return fmt.Sprintf("SELECT p.%[1]s FROM %[2]s p WHERE %[3]s AND p.n > 0 ORDER BY p.%[1]s %[4]s LIMIT 1",
			viaColumn(c), c.via, strings.Join(where, " AND "), order)
	}
	if f := ru.where("p"); f != "" {
		where = append(where, f)
	}
	for _, k := range ru.keys {
		where = append(where, k.at("p")+" = "+k.at(r))
	}
	return fmt.Sprintf("SELECT %[1]s FROM %[2]s p WHERE %[3]s AND %[1]s IS NOT NULL ORDER BY 1 %[4]s LIMIT 1",
		c.at("p"), ru.source, strings.Join(where, " AND "), order)
}

// viaColumn is the key of rollup c.via holding c's value (the key with c's expression), or "".
func viaColumn(c rollupCol) string {
	for _, ru := range rollups {
		if ru.table != c.via {
			continue
		}
		for _, k := range ru.keys {
			if k.expr == c.expr && k.text == c.text {
				return k.name
			}
		}
	}
	return ""
}

// rollupSub is the statement taking row r (OLD) out of the rollup.
func rollupSub(ru rollup, r string) string {
	set := make([]string, 0, len(ru.sums))
	for _, c := range ru.sums {
		if !c.prev {
			set = append(set, foldOut(ru, c, r))
		}
	}
	var where []string
	if f := ru.where(r); f != "" {
		where = append(where, f)
	}
	for _, c := range ru.keys {
		where = append(where, c.name+" = "+c.at(r))
	}
	return fmt.Sprintf("\nUPDATE %s SET %s\n WHERE %s;", ru.table, strings.Join(set, ", "), strings.Join(where, " AND ")) + previousFix(ru, r, false)
}

// rollupMove moves the rollup rows of the source rows that refer to the looked-up row OLD from
// key value from to key value to. The rows to change are found through the few source rows of
// OLD (an uncorrelated IN on the first other key), not by probing the source once per rollup
// row, which made every appointment delete O(days x payments).
func rollupMove(ru rollup, from, to string) string {
	li := ru.lookupKey()
	l := ru.keys[li].lookup
	mine := "p." + l.ref + " = OLD.id"
	if f := ru.where("p"); f != "" {
		mine += " AND " + f
	}
	var match, groupBy []string
	vals := make([]string, 0, len(ru.keys)+len(ru.sums))
	first := -1
	for i, c := range ru.keys {
		if i == li {
			vals = append(vals, to)
			continue
		}
		if first < 0 {
			first = i
		}
		match = append(match, " AND "+c.at("p")+" = "+ru.table+"."+c.name)
		groupBy = append(groupBy, c.at("p"))
		vals = append(vals, c.at("p"))
	}
	set, add := make([]string, len(ru.sums)), make([]string, len(ru.sums))
	for i, c := range ru.sums {
		set[i] = fmt.Sprintf("%[1]s = %[1]s - (SELECT COALESCE(SUM(%[2]s), 0) FROM %[3]s p WHERE %[4]s%[5]s)",
			c.name, c.at("p"), ru.source, mine, strings.Join(match, ""))
		vals = append(vals, "SUM("+c.at("p")+")")
		add[i] = c.name + " = " + c.name + " + excluded." + c.name
	}
	where := ru.keys[li].name + " = " + from
	if first >= 0 {
		where += fmt.Sprintf(" AND %s IN (SELECT %s FROM %s p WHERE %s)", ru.keys[first].name, ru.keys[first].at("p"), ru.source, mine)
	}
	update := fmt.Sprintf("\nUPDATE %s SET\n  %s\n WHERE %s;", ru.table, strings.Join(set, ",\n  "), where)
	group := ""
	if len(groupBy) > 0 {
		group = " GROUP BY " + strings.Join(groupBy, ", ")
	}
	insert := fmt.Sprintf("\nINSERT INTO %s (%s)\nSELECT %s FROM %s p WHERE %s%s\nON CONFLICT (%s) DO UPDATE SET %s;",
		ru.table, strings.Join(names(ru.cols()), ", "), strings.Join(vals, ", "), ru.source, mine, group,
		strings.Join(names(ru.keys), ", "), strings.Join(add, ", "))
	return update + insert
}

// readsChanged is the condition that an update changed one of cols: "(OLD.a, OLD.b) IS NOT
// (NEW.a, NEW.b)". SQLite fires an UPDATE OF trigger when the SET list names a column, even to
// its old value.
func readsChanged(cols []string) string {
	if len(cols) == 1 {
		return "OLD." + cols[0] + " IS NOT NEW." + cols[0]
	}
	return "(OLD." + strings.Join(cols, ", OLD.") + ") IS NOT (NEW." + strings.Join(cols, ", NEW.") + ")"
}

// changedOnly is ru for the update trigger: its statements also require that the update changed
// a column ru reads. Taking a row out and adding it back unchanged leaves the rollup as it was
// (sums cancel, a least/greatest value and a previous key are recomputed to the same), so an
// update of other columns (a status change for a rollup without status) skips ru's statements.
func changedOnly(ru rollup) rollup {
	guard := readsChanged(ru.reads())
	if ru.filter == "" {
		ru.filter = guard
	} else {
		ru.filter = "(" + ru.filter + ") AND " + guard
	}
	return ru
}

// rollupTrigger is one generated trigger.
type rollupTrigger struct{ name, ddl string }

// rollupTriggers generates every trigger from the definitions: per source table one trigger per
// insert, delete and update of a column the rollups read; per looked-up key one trigger that
// moves the rollup rows when the looked-up value changes and one when its row is deleted (run
// before the delete, while the source rows still refer to it).
func rollupTriggers() []rollupTrigger {
	var out []rollupTrigger
	for _, src := range rollupSources() {
		var add, sub, updSub, updAdd strings.Builder
		var reads []string
		for _, ru := range rollupsOf(src) {
			add.WriteString(rollupAdd(ru, "NEW"))
			sub.WriteString(rollupSub(ru, "OLD"))
			moved := changedOnly(ru)
			updSub.WriteString(rollupSub(moved, "OLD"))
			updAdd.WriteString(rollupAdd(moved, "NEW"))
			for _, c := range ru.reads() {
				if !slices.Contains(reads, c) {
					reads = append(reads, c)
				}
			}
		}
		slices.Sort(reads)
		p := "rollup_" + src
		out = append(out,
			rollupTrigger{p + "_ins", "CREATE TRIGGER " + p + "_ins AFTER INSERT ON " + src + " BEGIN" + add.String() + "\nEND"},
			rollupTrigger{p + "_del", "CREATE TRIGGER " + p + "_del AFTER DELETE ON " + src + " BEGIN" + sub.String() + "\nEND"},
			rollupTrigger{p + "_upd", "CREATE TRIGGER " + p + "_upd AFTER UPDATE OF " + strings.Join(reads, ", ") + " ON " + src +
				" WHEN " + readsChanged(reads) + " BEGIN" + updSub.String() + updAdd.String() + "\nEND"})
	}
	for _, ru := range rollups {
		li := ru.lookupKey()
		if li < 0 {
			continue
		}
		l := ru.keys[li].lookup
		p := ru.table + "_" + l.table
		out = append(out,
			rollupTrigger{p + "_move", fmt.Sprintf("CREATE TRIGGER %[1]s_move AFTER UPDATE OF %[2]s ON %[3]s WHEN OLD.%[2]s IS NOT NEW.%[2]s BEGIN%[4]s\nEND",
				p, l.col, l.table, rollupMove(ru, "OLD."+l.col, "NEW."+l.col))},
			rollupTrigger{p + "_unlink", fmt.Sprintf("CREATE TRIGGER %[1]s_unlink BEFORE DELETE ON %[2]s BEGIN%[3]s\nEND",
				p, l.table, rollupMove(ru, "OLD."+l.col, l.none))})
	}
	return out
}

func installTriggers(ctx context.Context, tx *sql.Tx) error {
	if err := dropTriggers(ctx, tx); err != nil {
		return err
	}
	ts := rollupTriggers()
	if ok, err := hasCopies(ctx, tx); err != nil {
		return err
	} else if ok {
		ts = append(ts, copyTriggers()...)
	}
	if ok, err := hasDigests(ctx, tx); err != nil {
		return err
	} else if ok {
		ts = append(ts, digestTriggers()...)
	}
	for _, t := range ts {
		if _, err := tx.ExecContext(ctx, t.ddl); err != nil {
			return fmt.Errorf("install rollup trigger %s: %w", t.name, err)
		}
	}
	return nil
}

// dropTriggers drops every rollup trigger: the generated ones and the legacy names.
func dropTriggers(ctx context.Context, tx *sql.Tx) error {
	for _, name := range triggerNames() {
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop rollup trigger: %w", err)
		}
	}
	return nil
}

// triggerNames returns every trigger name a build of Almanac has installed.
func triggerNames() []string {
	out := append([]string(nil), legacyTriggerNames...)
	for _, t := range slices.Concat(rollupTriggers(), copyTriggers(), digestTriggers()) {
		out = append(out, t.name)
	}
	return out
}

// checkQuery computes the rollup from the raw rows with a GROUP BY, independently of the
// triggers and of the rebuild's in-memory aggregation.
func checkQuery(ru rollup) string {
	sel, from := rowsSQL(ru.source, ru.filter, ru.cols())
	group := make([]string, len(ru.keys))
	for i := range ru.keys {
		group[i] = strconv.Itoa(i + 1)
	}
	var others []string
	for _, k := range ru.keys[:len(ru.keys)-1] {
		others = append(others, k.at("r"))
	}
	for i, c := range ru.sums {
		if c.prev { // the previous group's last key: LAG over the groups, which all have n > 0
			last := ru.keys[len(ru.keys)-1].at("r")
			sel[len(ru.keys)+i] = "LAG(" + last + ") OVER (PARTITION BY " + strings.Join(others, ", ") + " ORDER BY " + last + ")"
			continue
		}
		sel[len(ru.keys)+i] = c.agg() + "(" + sel[len(ru.keys)+i] + ")"
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + from + " GROUP BY " + strings.Join(group, ", ")
}

// CheckRollups compares every rollup with a fresh computation from the raw rows, and the lifetime
// rollup's copies with their sources, and returns an error naming the first table that
// disagrees. Zero-count rollup rows are ignored.
func (s *Store) CheckRollups(ctx context.Context) error {
	return s.Read(ctx, func(tx *sql.Tx) error {
		for _, ru := range rollups {
			diff := fmt.Sprintf(`SELECT COUNT(*) FROM (
				SELECT %[1]s FROM %[2]s WHERE n <> 0 EXCEPT %[3]s
				UNION ALL
				SELECT * FROM (%[3]s EXCEPT SELECT %[1]s FROM %[2]s WHERE n <> 0))`,
				strings.Join(names(ru.cols()), ", "), ru.table, checkQuery(ru))
			var n int
			if err := tx.QueryRowContext(ctx, diff).Scan(&n); err != nil {
				return fmt.Errorf("check %s: %w", ru.table, err)
			}
			if n != 0 {
				return fmt.Errorf("rollup %s disagrees with the raw rows in %d rows (please report this bug)", ru.table, n)
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, checkCopiesQuery()).Scan(&n); err != nil {
			return fmt.Errorf("check the copies of rollup_customer_lifetime: %w", err)
		}
		if n != 0 {
			return fmt.Errorf("rollup rollup_customer_lifetime's copies disagree with the customers and bookings in %d rows (please report this bug)", n)
		}
		n, err := checkDigests(ctx, tx)
		if err != nil {
			return fmt.Errorf("check %s: %w", digestDay, err)
		}
		if n != 0 {
			return fmt.Errorf("%s disagrees with %s in %d days (please report this bug)", digestDay, digestSource, n)
		}
		return nil
	})
}

// reinstallRollups installs the current triggers and rebuilds every rollup: the after-step of a
// migration that adds a rollup (triggers written by an older version do not feed it).
func reinstallRollups(ctx context.Context, tx *sql.Tx) error {
	if err := installTriggers(ctx, tx); err != nil {
		return err
	}
	return rebuildRollups(ctx, tx)
}

// RebuildRollups recomputes every rollup from the raw rows in one transaction.
func (s *Store) RebuildRollups(ctx context.Context) error {
	return s.Write(ctx, func(tx *sql.Tx) error { return rebuildRollups(ctx, tx) })
}
