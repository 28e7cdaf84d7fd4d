package license

import "errors"

// Helpers only the tests use.

// CodeOf returns the code of the first *Error in err's chain, or "".
func CodeOf(err error) Code {
	var le *Error
	if errors.As(err, &le) {
		return le.Code
	}
	return ""
}

// Plans returns every plan, lowest first.
func Plans() []Plan { return []Plan{Free, Starter, Professional, Enterprise, Internal} }
