// Package devkeys holds the INSECURE development signing key, committed on purpose so anyone can sign licenses that development builds trust; only the vendor tool and tests import it.
package devkeys

import _ "embed"

// KID is the development key's id; it equals license.DevKeyID.
const KID = "INSECURE-DEV-ONLY"

// Embedded so `almanac-license sign --dev` works from any directory, not
// only from the repository root.
var (
	//go:embed INSECURE-DEV-ONLY.key
	privateKeyFile string
	//go:embed INSECURE-DEV-ONLY.pub
	publicKeyFile string
)

// PrivateKeyFile returns INSECURE-DEV-ONLY.key; read it with license.ParsePrivateKey.
func PrivateKeyFile() []byte { return []byte(privateKeyFile) }

// PublicKeyFile returns INSECURE-DEV-ONLY.pub, the key development builds trust.
func PublicKeyFile() []byte { return []byte(publicKeyFile) }
