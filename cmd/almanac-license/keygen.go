package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/almanac-app/almanac/license"
)

func (t *tool) keygen(args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	kid := fs.String("kid", "", "key id, written into every license the key signs (letters, digits, '.', '_', '-')")
	out := fs.String("out", "", "directory for KID.key (secret, mode 0600) and KID.pub")
	if done, err := t.parseFlags(fs, args, "keygen --kid KID --out DIR"); done || err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("keygen: unexpected argument %q", fs.Arg(0))
	case *kid == "" || *out == "":
		return usagef("keygen: --kid and --out are required")
	}
	if err := license.ValidKeyID(*kid); err != nil {
		return usagef("keygen: %v", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	keyPath := filepath.Join(*out, *kid+".key")
	pubPath := filepath.Join(*out, *kid+".pub")
	if err := writeKeyPair(*out, keyPath, pubPath, license.FormatPrivateKey(*kid, priv), license.FormatPublicKey(pub)); err != nil {
		return err
	}
	fmt.Fprintf(t.stdout, "wrote %s (SECRET: keep it offline, never commit it) and %s\n", keyPath, pubPath)
	fmt.Fprintf(t.stdout, "add this line to the LICENSE_PUBKEYS file of release builds:\n%s %s", *kid, license.FormatPublicKey(pub))
	return nil
}

// writeKeyPair never overwrites: replacing a signing key by accident would
// orphan every license it signed.
func writeKeyPair(dir, keyPath, pubPath string, key, pub []byte) error {
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("keygen: %s already exists; choose another --kid or --out (keys are never overwritten)", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("keygen: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if err := writeNew(keyPath, key, 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, pub, 0o644); err != nil {
		os.Remove(keyPath) // a key without its public half is of no use
		return err
	}
	return nil
}

func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("keygen: write %s: %w", path, err)
	}
	return nil
}
