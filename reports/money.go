package reports

import (
	"fmt"
	"strings"

	"github.com/almanac-app/almanac/data"
)

// currencyInfo is how to show an ISO 4217 currency: symbol and minor-unit digits.
var currencyInfo = map[string]struct {
	symbol string
	digits int
}{
	"USD": {"$", 2}, "CAD": {"CA$", 2}, "AUD": {"A$", 2}, "EUR": {"€", 2}, "GBP": {"£", 2},
	"JPY": {"¥", 0}, "CHF": {"CHF ", 2}, "NZD": {"NZ$", 2}, "SEK": {"kr ", 2}, "INR": {"₹", 2},
}

// FormatMoney renders minor units of currency for people, e.g. 123456 USD as "$1,234.56".
func FormatMoney(minor int64, currency string) string {
	info, ok := currencyInfo[strings.ToUpper(currency)]
	if !ok {
		info.symbol, info.digits = strings.ToUpper(currency)+" ", 2
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	scale := int64(1)
	for range info.digits {
		scale *= 10
	}
	whole := data.Thousands(minor / scale)
	if info.digits == 0 {
		return sign + info.symbol + whole
	}
	return fmt.Sprintf("%s%s%s.%0*d", sign, info.symbol, whole, info.digits, minor%scale)
}
