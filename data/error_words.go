package data

import "strings"

// RewordError is err's message with the parts that a front end words its own way replaced:
// for each error in err's tree (err itself, then what it wraps) for which words gives a text,
// that error's own message, found inside err's, is replaced by the text. Front ends use it to
// name their flags or labels in the library's typed errors (*InputError, ErrNeedFullSync...)
// while keeping the context that wrapping added ("export appointments: ...").
func RewordError(err error, words func(error) (string, bool)) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	walkErrors(err, func(e error) bool {
		text, ok := words(e)
		if !ok {
			return true
		}
		if own := e.Error(); own != "" && strings.Contains(msg, own) {
			msg = strings.Replace(msg, own, text, 1)
		}
		return false // the text words this error and what it wraps
	})
	return msg
}

// walkErrors calls visit for err and, while visit returns true, for the errors it wraps.
func walkErrors(err error, visit func(error) bool) {
	if err == nil || !visit(err) {
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, visit)
		}
	}
}
