package license

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// strictObject reads raw as exactly one JSON object and calls field for each
// member in order. encoding/json on its own matches keys case-insensitively
// (with Unicode folding, so "expireſ_at" is "expires_at") and lets a later
// duplicate win; what a person reads in a license must be what Almanac
// enforces, so here every key is plain ASCII written without escapes, no key
// appears twice, and nothing may follow the object.
func strictObject(raw []byte, field func(key string, value json.RawMessage) error) error {
	if !utf8.Valid(raw) {
		return errors.New("it is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil {
		return err
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("it is not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // inside an object the decoder yields only string keys here
		if !plainKey(key) || bytes.IndexByte(raw[start:dec.InputOffset()], '\\') >= 0 {
			return fmt.Errorf("key %s is not a plain ASCII name", quote(key))
		}
		if seen[key] {
			return fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return err
		}
		if bytes.Equal(value, []byte("null")) {
			return fmt.Errorf("%q is null; leave the key out instead", key)
		}
		if err := field(key, value); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("there is more after the JSON object")
	}
	return nil
}

// plainKey: 1 to 64 of a-z, A-Z, 0-9 and '_'.
func plainKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// strictMap reads a JSON object of plain keys to values of type V, with no
// duplicates; known says which keys are allowed.
func strictMap[V any](raw []byte, known func(string) bool) (map[string]V, error) {
	out := map[string]V{}
	err := strictObject(raw, func(key string, value json.RawMessage) error {
		if !known(key) {
			return fmt.Errorf("%q is not a name this version of Almanac knows", key)
		}
		var v V
		if err := json.Unmarshal(value, &v); err != nil {
			return fmt.Errorf("%q: %v", key, err)
		}
		out[key] = v
		return nil
	})
	return out, err
}
